"""Every diagnostic code the engine reports: its one-line Chinese meaning and an example.

The codes are the ASCII part of a diagnostic (`[expr-unknown-function]`): grep-able, stable
across versions. An item kind's own codes live with the kind (`codes` in engine/kinds/*.py).
docs/ruleset-reference.md lists both, and a test fails when a code the engine reports is in
neither.
"""
from __future__ import annotations

from dataclasses import dataclass

RULESET, FACTS, SHEET, BOTH, TESTS = "规则文件", "事实文件", "表格（CSV、Parquet、XLSX）", "规则文件、事实文件", "测试用例"


@dataclass(frozen=True, slots=True)
class Code:
    """A diagnostic code: where it is reported, what it means, and an input that triggers it."""

    where: str
    meaning: str
    example: str


CODES: dict[str, Code] = {
    # reading files ---------------------------------------------------------------------------
    "file-not-found": Code(BOTH, "文件不存在：检查路径和文件名", "unionscore check rulesets/zhijai.yaml"),
    "file-encoding": Code(BOTH, "文件不是 UTF-8 编码：用编辑器另存为 UTF-8", "unionscore check county.yaml   # 文件用 GBK 编码保存"),
    "file-unreadable": Code(BOTH, "文件无法读取（权限不足、是文件夹或命名管道等）", "unionscore check /root/secret.yaml"),
    "file-too-large": Code(BOTH, "YAML 文件超过 16 MB：事实文件只有几 KB，规则集也不过几百 KB，多半是选错了文件", "unionscore assess /dev/zero"),
    "yaml-syntax": Code(BOTH, "YAML 语法错误：缩进、冒号、引号或括号不对", "when: [a, b"),
    "yaml-duplicate-key": Code(BOTH, "同一映射中出现重复的键（YAML 会悄悄保留后一个，这里直接报错）", "points: 5\npoints: 6"),
    "yaml-key": Code(BOTH, "映射的键只能是文本或数字（规则文件中只能是文本）", "- {when: ratio(members, employees) >= 0.9, points: 5}   # 逗号把表达式拆成了几个键"),
    "yaml-merge": Code(BOTH, "合并键 “<<” 只能合并映射", "<<: [1, 2]"),
    "yaml-number": Code(BOTH, "数值必须是有限的十进制数，绝对值不大于 10 的 15 次方（不接受 .inf、.nan 或溢出的数）", "max: .inf"),
    "yaml-recursive": Code(BOTH, "锚点引用了自身，形成循环结构", "a: &x [*x]"),
    "yaml-tag": Code(BOTH, "不允许的 YAML 标签：文件只能包含数据，不能构造对象", "when: !!python/object:os.system x"),
    "yaml-too-large": Code(BOTH, "文件展开后过大或嵌套过深（锚点与别名层层展开）", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]   # 层层引用"),
    # ruleset structure (JSON Schema) ---------------------------------------------------------
    "schema-unknown-key": Code(RULESET, "未知字段，通常是拼写错误（提示最接近的字段名）", "poinst: 5"),
    "schema-required": Code(RULESET, "缺少必填字段", "- {id: banzi.elected, name: 依法选举, when: committee.elected}   # 缺 points"),
    "schema-type": Code(RULESET, "字段的值类型不对", "points: 五分"),
    "schema-enum": Code(RULESET, "字段的值不在允许的取值之中", "effect: warn"),
    "schema-range": Code(RULESET, "数值超出允许范围", "points: -2"),
    "schema-id": Code(RULESET, "不合法的 id 或事实名：须以英文字母开头，只含字母、数字、下划线、点或连字符", "id: 1班子"),
    "schema-empty": Code(RULESET, "不能为空的文本或列表是空的", "tiers: []"),
    "schema-invalid": Code(RULESET, "其他不符合规则文件格式的写法（如几种写法都不符合）", "evidence: 5"),
    # expressions -----------------------------------------------------------------------------
    "expr-syntax": Code(RULESET, "表达式语法错误", "when: membership_rate >= "),
    "expr-too-large": Code(RULESET, "表达式过长（超过 4000 个字符）、过大（超过 500 个部分）或嵌套过深（超过 100 层）：拆分到 derive 中", "when: a or b or c or …   # 上千项"),
    "derive-too-deep": Code(RULESET, "派生值层层读取其他派生值，连同它们展开后嵌套超过 200 层", "derive: {d1: d0 + 1, d2: d1 + 1, …, d200: d199 + 1}"),
    "expr-number": Code(RULESET, "表达式中的数字不是十进制数、绝对值大于 10 的 15 次方，或小数位多于 10 位", "when: employees > 1e999999999"),
    "expr-digits": Code(RULESET, "round、pct 的小数位数不是 0 到 6 之间的整数常量", "fix: 人均 {round(employees / 3, 27)} 人"),
    "expr-zero-divisor": Code(RULESET, "除数写成了恒为 0 的常量（含 ratio 的第二个参数），这个值对每个工会都无法计算", "derive: {per_head: members / 0}"),
    "expr-forbidden": Code(RULESET, "表达式中用了规则语言不允许的写法（方法调用、关键字参数、is、下标等）", "when: union.name.startswith('青山')"),
    "expr-dunder": Code(RULESET, "名称不能以下划线开头", "when: __class__"),
    "expr-unknown-name": Code(RULESET, "表达式读取了未声明的名称（提示最接近的名称）", "when: comittee.elected"),
    "expr-unknown-function": Code(RULESET, "调用了不存在的函数（提示最接近的函数名）", "when: years_sinse(committee.last_election) <= 5"),
    "expr-type": Code(RULESET, "表达式的类型不对：比较了不同类型的值，函数参数类型不对，或此处需要条件却给了数值", "when: members >= '100'"),
    "expr-outcome": Code(RULESET, "指标结果（results.<id>.items.<指标>.outcome）只能与结果值 pass、partial、fail、missing、na、pending 比较", "when: results.zhijia.items.zuzhi.membership.outcome == 'n/a'"),
    "deduct-fix": Code(RULESET, "一级指标（section）的扣分项写了 fix：整改文本只写在指标或指标的扣分项上", "sections: [{id: s, deduct: [{when: x, points: 1, name: 扣, fix: …}]}]"),
    "fix-choice": Code(RULESET, "分情形的 fix 中，最后一项以外缺少 when，或最后一项写了 when（最后一项是其余情形的整改文本）", "fix: [{when: not library.exists, text: …}, {when: library.exists, text: …}]"),
    "template-brace": Code(RULESET, "整改文本中的花括号不配对（字面的花括号写作 {{ 和 }}）", "fix: 入会率 {pct(membership_rate)"),
    # building and checking a ruleset ---------------------------------------------------------
    "item-kind": Code(RULESET, "指标的计分方式缺失，或同时用了两种（when、tiers、count、scale、shortfall 只能选一种）", "- {id: a, name: 甲, points: 5, when: x, tiers: [...]}"),
    "item-uncapped": Code(RULESET, "points: uncapped（上不封顶）只能用于加分项（bonus）中按 count 计分的指标", "sections: [{id: s, items: [{id: a, points: uncapped, when: x}]}]"),
    "level-cohort": Code(RULESET, "按排名评定的等级（cohort）名额不对：百分数应大于 0% 且不超过 100%", "cohort: {top: 0%}"),
    "deduct-kind": Code(RULESET, "扣分项应写 {when, points} 或 {count, each} 之一", "deduct: [{name: 无名册, when: not ledger.members_register}]"),
    "derive-cycle": Code(RULESET, "几个派生值互相读取（循环引用），无法计算", "derive: {a: b + 1, b: a * 2}"),
    "derive-clash": Code(RULESET, "派生值与已声明的事实同名", "derive: {members: ratio(a, b)}"),
    "fact-enum": Code(RULESET, "枚举事实没有用 values 列出可选值，values 中有重复，或 labels 中有 values 之外的值", "rules.duties: {type: enum, label: 工作职责}"),
    "fact-list": Code(RULESET, "列表事实没有用 items 说明元素类型", "meetings.by_quarter: {type: list, label: 各季度会议次数}"),
    "fact-past": Code(RULESET, "past 写在了不是日期的事实上", "facts: {members: {type: integer, past: true, …}}"),
    "fact-reference": Code(RULESET, "part_of 没有指向本规则集声明的另一个是/否事实，或 at_most 没有指向另一个数值事实", "library.books: {type: integer, label: 职工书屋藏书, part_of: library.size}"),
    "fact-per": Code(RULESET, "per: year 写在了不是数值或列表的事实上（只有次数、人数等按年度统计的数才每年重新计数）", "committee.elected: {type: boolean, label: 依法选举, per: year}"),
    "fact-range": Code(RULESET, "事实声明的 min 大于 max", "committee.term_years: {type: integer, min: 5, max: 3, label: 任期}"),
    "fact-reserved": Code(RULESET, "事实名与表达式中已有所指的名称冲突：period（考核年度）、union.…（工会信息）、results.…（所用规则集的结果）", "union.type: {type: string, label: 单位类型}"),
    "fact-unit": Code(RULESET, "单位 % 用在了不是 number 类型的事实上（整数事实的 31 会读作 31%，不是整数）", "members: {type: integer, label: 会员人数, unit: '%'}"),
    "duplicate-id": Code(RULESET, "分项、指标、否决项或等级的 id 重复", "- {id: banzi.elected, name: 依法选举, points: 5, when: committee.elected}\n- {id: banzi.elected, name: 按期换届, points: 5, when: committee.on_time}"),
    "items-too-many": Code(RULESET, "规则集的指标（含加分项）超过 500 个", "sections: [...]   # 合计 2000 个指标"),
    "section-balance": Code(RULESET, "分项满分不等于下级分值之和（确有需要可写 allow_unbalanced: true）", "{id: banzi, name: 有班子, max: 15, items: [...]}   # 下级指标合计 14 分"),
    "max-score": Code(RULESET, "max_score 不等于各一级指标满分之和", "max_score: 100   # 各一级指标 max 合计 95"),
    "level-order": Code(RULESET, "等级没有从高到低排列", "levels: [{id: basic, min: 60}, {id: good, min: 80}]"),
    "level-section-min": Code(RULESET, "等级的 section_min 中写了不存在的一级指标 id", "section_min: {banz: 0.6}"),
    "level-requires-unknown": Code(RULESET, "等级的 requires 中的名称既不是指标 id，也不是已声明的名称", "requires: [banzi.elect]"),
    "veto-cap-level": Code(RULESET, "effect 为 cap 的否决项缺少 cap_level，或 cap_level 不是本规则集的等级 id", "{id: veto.x, effect: cap, cap_level: bottom}"),
    # extends and uses ------------------------------------------------------------------------
    "extends-unknown": Code(RULESET, "找不到 extends 指定的上级规则集", "extends: zhijai"),
    "extends-cycle": Code(RULESET, "extends 形成循环（a 继承 b，b 又继承 a）", "extends: b.yaml   # 写在 a.yaml 中，而 b.yaml 写了 extends: a.yaml"),
    "extends-too-deep": Code(RULESET, "extends 层层继承超过 20 层", "extends: c19.yaml   # c19 继承 c18 ……一直到 c0"),
    "extends-unknown-id": Code(RULESET, "remove、override 或 add 的 to 指向上级规则集中不存在的 id", "remove: [weiquan.contrct]"),
    "extends-override": Code(RULESET, "override 的内容应为字段映射，且不能修改 id", "override: {zuzhi.membership: 10}"),
    "extends-add": Code(RULESET, "add 添加指标时没有用 to 指明所属分项", "add: [{items: [...]}]"),
    "uses-unknown": Code(RULESET, "找不到 uses 引用的规则集", "uses: [bayuo]"),
    "uses-cycle": Code(RULESET, "uses 形成循环", "uses: [b]   # 写在 a 中，而 b 写了 uses: [a]"),
    "uses-too-deep": Code(RULESET, "uses 层层引用超过 20 层", "uses: [u19]   # u19 用 u18 ……一直到 u0"),
    "uses-missing": Code(RULESET, "引用了不在本规则集 uses 中的规则集的结果", "when: passed('zhijia', 'zuzhi.membership')   # uses 只有 bayou"),
    "uses-unknown-item": Code(RULESET, "引用的规则集中没有这个指标", "when: passed('bayou', 'banzi.elect')"),
    "uses-unknown-level": Code(RULESET, "与所用规则集的等级比较的不是它的等级 id（拼错，或写了等级名称）", "when: results.bayou.level == 'dabaio'"),
    "fact-conflict": Code(RULESET, "同时使用的两个规则集对同一事实的声明不一致（类型、范围或可选值）", "employees: {type: number, label: 职工人数}   # 另一个规则集声明为 integer"),
    # warnings of `unionscore check` (engine/authoring/lint.py; --strict counts them as errors) ------------
    "level-unreachable": Code(RULESET, "警告：某个等级不可能评上（min 高于最高分、requires 自相矛盾或被上一级挡住）", "levels: [{id: super, name: 特级, min: 110}]   # max_score: 100"),
    "gate-never": Code(RULESET, "警告：申报条件不可能成立（自相矛盾或与事实的声明范围矛盾），每个单位都不具备申报资格", "gate: {when: employees >= 25 and employees < 10}"),
    "fact-direction": Code(RULESET, "警告：被比率、否决项或等级条件读取的事实没有写 change（up、down 或 none），整改规划会按缺省的 up 只增不减", "incidents.major_safety: {type: integer, label: 本年度重大事故, unit: 起}   # 被否决项读取，应写 change: none"),
    "fact-unused": Code(RULESET, "警告：声明了事实，但没有任何指标、否决项、申报条件或等级读取它", "staff.parttime: {type: integer, label: 兼职干部人数}   # 没有任何地方读取"),
    "derive-unused": Code(RULESET, "警告：派生值没有被读取", "female_rate: ratio(female_members, members)   # 没有任何地方读取"),
    "item-no-fix": Code(RULESET, "警告：指标没有 fix（整改措施），报告只能写“对照要求进行整改”", "- {id: banzi.elected, name: 依法选举, points: 5, when: committee.elected}"),
    "item-no-evidence": Code(RULESET, "警告：指标没有 evidence（需准备的台账资料）", "- {id: banzi.elected, name: 依法选举, points: 5, when: committee.elected}"),
    "fix-unread-fact": Code(RULESET, "警告：整改文本引用了指标计分时不读取的事实，缺这项资料的单位看不到引用它的那一句", "when: committee.elected\nfix: 职工 {employees} 人，应依法选举工会委员会。"),
    "section-unbalanced": Code(RULESET, "警告：分项满分与下级合计不等（因写了 allow_unbalanced: true 而允许）", "{id: banzi, name: 有班子, max: 15, allow_unbalanced: true, items: [...]}   # 下级合计 14 分"),
    "owner-unknown": Code(RULESET, "警告：owners 中要改写的责任人不是任何指标、分项的责任人，这一条不会用上", "owners:\n  - {owner: 工会办公室, when: staff.fulltime == 0, instead: 工会主席}   # 指标的责任人写的是“工会办公室（专职工会干部）”"),
    "label-clash": Code(RULESET, "警告：事实的名称（label）与另一个事实的相同，或是表格中工会信息的表头（名称、类型、乡镇……）：以它为表头的列读不到这个事实", "x.count: {type: integer, label: 会员人数}   # members 的名称也是“会员人数”"),
    "id-case": Code(RULESET, "警告：两个 id 或名称只有大小写不同，引用时容易写错", "- {id: banzi.Elected, ...}\n- {id: banzi.elected, ...}"),
    # fact files ------------------------------------------------------------------------------
    "fact-shape": Code(FACTS, "事实文件的结构不对：应为映射，facts 应为“事实名: 值”", "facts: [employees, 230]"),
    "fact-union": Code(f"{FACTS}、{SHEET}", "缺少工会编号或类型，或 union 的某个字段不是一段文字（是列表或映射）", "union: {name: 青山镇某某工会}"),
    "fact-union-type": Code(FACTS, "工会类型不是 enterprise、government、institution、village、joint、group 之一", "type: company"),
    "fact-period": Code(FACTS, "考核年度不对，或缺少年度又没有用 --as-of 指定评估日期", "period: 二〇二五"),
    "fact-unknown-key": Code(FACTS, "未知的顶层字段：只能是 union、period、facts", "year: 2025"),
    "fact-undeclared": Code(FACTS, "本次评估的规则集和内置规则集都没有声明这个事实，通常是拼写错误（提示最接近的事实名）", "employes: 42   # 应为 employees"),
    "fact-duplicate": Code(FACTS, "同一事实既用嵌套写法又用带点路径写了两次", "committee: {elected: true}\ncommittee.elected: false"),
    "fact-type": Code(f"{FACTS}、{SHEET}", "事实的值不符合声明的类型、范围或可选值", "employees: 二百三十"),
    "judged-range": Code(f"{FACTS}、{SHEET}", "考核组给的分数超出该指标酌情给分的范围", "brand.points: 7   # 特色工作在 0 到 5 分之间酌情给分"),
    "judged-note": Code(f"{FACTS}、{SHEET}", "考核组给了分数，却没有填写评分说明", "brand: {points: 4}   # 缺 brand.note"),
    "fact-members": Code(f"{FACTS}、{SHEET}", "会员人数大于职工人数", "employees: 100\nmembers: 120"),
    "fact-future-date": Code(f"{FACTS}、{SHEET}", "已发生的事的日期（past，如成立日期、上次换届选举日期）晚于评估日期", "period: 2025\nfounded: 2030-05-05"),
    "fact-at-most": Code(f"{FACTS}、{SHEET}", "一个数大于规则集规定它不能超过的数（at_most），如女会员人数大于会员人数", "members: 40\nfemale_members: 60"),
    # spreadsheets and batch sources ----------------------------------------------------------
    "source-unknown": Code(SHEET, "找不到来源，或来源不是文件夹、YAML、CSV、Parquet、XLSX", "unionscore batch 青山县.xls --out out"),
    "source-unreadable": Code(SHEET, "CSV、Parquet 或工作簿无法读取（文件损坏、编码无法识别、扩展名为 .csv 的工作簿、省级批量的 CSV 不是 UTF-8 或单元格跨行）", "unionscore batch 已损坏.xlsx --out out"),
    "source-sheet": Code(SHEET, "工作簿中没有 --sheet 指定的工作表", "unionscore batch 青山县.xlsx --sheet 河口 --out out"),
    "source-header": Code(SHEET, "前 10 个非空行中未找到表头（整个文件没有读到工会）、表头缺少“编号”或“类型”列、两列对应同一字段，或 CSV 的表头少写了一列（其下多数工会在表头最后一列之后还有内容）", "名称,职工人数,会员人数   # CSV 的表头没有“编号”列"),
    "source-column": Code(SHEET, "表头与某个事实的名称相近却不相同，通常是笔误（提示最接近的名称）；确实不是考核数据的列用 --unused-column 说明", "编号,类型,职工人数数   # 应为“职工人数”"),
    "source-misaligned": Code(SHEET, "CSV 的一行在表头最后一列之后还有内容：这一行可能错了位，不计入", "编号,类型,职工人数\nQS-001,企业,1,200   # 数字中的逗号把 1,200 分成了两个单元格"),
    "cell-value": Code(SHEET, "单元格的内容无法按该列的事实读取", "QS-001,企业,二百三十   # “会员人数”列"),
    # ruleset tests ---------------------------------------------------------------------------
    "test-as-of": Code(TESTS, "测试用例的 as_of 不是日期", "as_of: 年底"),
    "test-unknown-id": Code(TESTS, "测试用例期望的等级、指标或否决项 id 不是本规则集的（提示最接近的 id）", "expect: {level: modle}   # 应为 model"),
    "tests-none": Code(TESTS, "规则集没有测试用例（自己的和继承的都没有）；加 --strict 时按错误处理", "unionscore test rulesets/county.yaml   # 旁边没有 county.tests.yaml"),
}
