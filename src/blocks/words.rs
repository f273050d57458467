//! The words around the numbers, in Chinese and English.

use crate::metrics::format::Lang;
use crate::metrics::{Interval, Status};

pub struct Words {
    pub data_table: &'static str,
    pub period: &'static str,
    pub category: &'static str,
    pub target: &'static str,
    pub attainment: &'static str,
    pub as_of: &'static str,
    pub percentage_points: &'static str,
    pub owner: &'static str,
    pub source: &'static str,
    pub unit: &'static str,
    pub direction: &'static str,
    pub higher_better: &'static str,
    pub lower_better: &'static str,
    pub thresholds: &'static str,
    pub red: &'static str,
    pub amber: &'static str,
    pub definition: &'static str,
    pub history: &'static str,
    pub breakdown: &'static str,
    pub playbooks: &'static str,
    pub no_playbooks: &'static str,
    pub metric: &'static str,
    pub latest: &'static str,
    pub change: &'static str,
    pub trend: &'static str,
    pub status: &'static str,
    pub table_data: &'static str,
    pub no_unit: &'static str,
    pub from: &'static str,
    pub total: &'static str,
}

const ZH: Words = Words {
    data_table: "数据表",
    period: "时间",
    category: "类别",
    target: "目标",
    attainment: "达成",
    as_of: "截至",
    percentage_points: "个百分点",
    owner: "负责人",
    source: "数据来源",
    unit: "单位",
    direction: "方向",
    higher_better: "越高越好",
    lower_better: "越低越好",
    thresholds: "阈值",
    red: "红灯",
    amber: "黄灯",
    definition: "定义",
    history: "历史走势",
    breakdown: "数据分布",
    playbooks: "引用此指标的手册",
    no_playbooks: "还没有手册在 `kpis` 中引用这个指标。",
    metric: "指标",
    latest: "最新值",
    change: "变化",
    trend: "走势",
    status: "状态",
    table_data: "分类数据",
    no_unit: "无",
    from: "起",
    total: "合计",
};

const EN: Words = Words {
    data_table: "Data table",
    period: "Period",
    category: "Category",
    target: "Target",
    attainment: "Attained",
    as_of: "As of",
    percentage_points: "pp",
    owner: "Owner",
    source: "Source",
    unit: "Unit",
    direction: "Direction",
    higher_better: "Higher is better",
    lower_better: "Lower is better",
    thresholds: "Thresholds",
    red: "Red",
    amber: "Amber",
    definition: "Definition",
    history: "History",
    breakdown: "Breakdown",
    playbooks: "Playbooks that track it",
    no_playbooks: "No playbook lists this metric in its `kpis` yet.",
    metric: "Metric",
    latest: "Latest",
    change: "Change",
    trend: "Trend",
    status: "Status",
    table_data: "Table",
    no_unit: "none",
    from: "from",
    total: "Total",
};

pub fn words(lang: Lang) -> &'static Words {
    if lang.zh() { &ZH } else { &EN }
}

/// `较上月` / `vs previous month`.
pub fn versus(interval: Interval, lang: Lang) -> &'static str {
    match (interval, lang) {
        (Interval::Day, Lang::Zh) => "较前一日",
        (Interval::Week, Lang::Zh) => "较上周",
        (Interval::Month, Lang::Zh) => "较上月",
        (Interval::Quarter, Lang::Zh) => "较上季度",
        (Interval::Year, Lang::Zh) => "较上年",
        (Interval::Day, Lang::En) => "vs previous day",
        (Interval::Week, Lang::En) => "vs previous week",
        (Interval::Month, Lang::En) => "vs previous month",
        (Interval::Quarter, Lang::En) => "vs previous quarter",
        (Interval::Year, Lang::En) => "vs previous year",
    }
}

pub fn status(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Green, Lang::Zh) => "正常",
        (Status::Amber, Lang::Zh) => "关注",
        (Status::Red, Lang::Zh) => "预警",
        (Status::None, Lang::Zh) => "未设目标",
        (Status::Green, Lang::En) => "On track",
        (Status::Amber, Lang::En) => "Watch",
        (Status::Red, Lang::En) => "Alert",
        (Status::None, Lang::En) => "No target",
    }
}

/// How aggregated values were made: `周均值`, `monthly total`.
pub fn aggregated(interval: Interval, additive: bool, lang: Lang) -> String {
    let zh = match interval {
        Interval::Day => "日",
        Interval::Week => "周",
        Interval::Month => "月",
        Interval::Quarter => "季",
        Interval::Year => "年",
    };
    match (lang, additive) {
        (Lang::Zh, true) => format!("按{zh}合计"),
        (Lang::Zh, false) => format!("{zh}均值"),
        (Lang::En, true) => format!("{} total", interval.adjective()),
        (Lang::En, false) => format!("{} average", interval.adjective()),
    }
}

/// `不含不完整的季度` / `incomplete quarters left out`.
pub fn partial_left_out(interval: Interval, lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            let unit = match interval {
                Interval::Day => "日",
                Interval::Week => "周",
                Interval::Month => "月份",
                Interval::Quarter => "季度",
                Interval::Year => "年份",
            };
            format!("不含数据不完整的{unit}")
        }
        Lang::En => format!("incomplete {}s left out", interval.name()),
    }
}
