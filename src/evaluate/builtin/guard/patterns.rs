//! The patterns the guard looks for, grouped by what they try to do. Every pattern reads the
//! normalised text (NFKC, invisible characters removed, look-alike letters folded), so one
//! pattern covers its disguised spellings too.

/// What a pattern catches, reported with the excerpt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// "Ignore the previous instructions", in any language.
    Override,
    /// Asking for marks, however politely.
    MarksRequest,
    /// Text that speaks to the grader ("note to the grader", "if you are an AI").
    GraderAddress,
    /// Chat-template or role markers meant to look like a system message.
    RoleMarker,
    /// A made-up grading result (JSON, YAML or TOML with grading keys).
    FakeResult,
    /// A checklist of "key points covered" aimed at the grader.
    Checklist,
}

impl Form {
    /// Short label for logs and reviewers.
    pub fn label(self) -> &'static str {
        match self {
            Form::Override => "instruction override",
            Form::MarksRequest => "request for marks",
            Form::GraderAddress => "text addressed to the grader",
            Form::RoleMarker => "role or chat-template marker",
            Form::FakeResult => "fake grading result",
            Form::Checklist => "key-point checklist for the grader",
        }
    }
}

/// Patterns matched anywhere in the text.
pub const PATTERNS: &[(Form, &str)] = &[
    // ---------------------------------------------------------------- English
    (
        Form::Override,
        r"(?i)\b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|of\s+|these\s+|those\s+|my\s+)*((previous|prior|above|earlier|preceding|original|system|grading|scoring|marking|evaluation)\s+(instructions?|prompts?|rules|directions|rubrics?|guidelines|criteria)|instructions?|prompts?|rubrics?|grading\s+criteria|scoring\s+criteria|answer\s+key)\b",
    ),
    (
        Form::Override,
        r"(?i)\b(new|updated|real|actual|revised)\s+(instructions|rules|grading\s+rules)\s*:",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(give|award|assign|grant|rate|score|grade|mark)\s+(this|me|it|the\s+answer|my\s+answer|this\s+answer|this\s+response)\s+(as\s+|with\s+)?(a\s+|an\s+|the\s+)?(full\s+marks|top\s+marks|(perfect|maximum|max|highest|top|full)\s+(score|marks|grade|rating|points)|\d+\s*(/|out\s+of)\s*\d+|100\s*(%|percent|points))",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(full|top|maximum|max|perfect|highest)\s+(marks|score|points|grade|rating)\s+(for|to|on)\s+(this|me|my|it)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(this|my)\s+(answer|response|solution)\s+(is|should\s+be|must\s+be|deserves\s+to\s+be)\s+(scored|graded|marked|rated|given|treated|considered|counted)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(deserves?|worth|earns?|merits?)\s+(a\s+|the\s+)?(perfect|full|top|maximum|max|highest)\s+(score|marks|grade|points|rating)\b|\bdeserves?\s+(a\s+)?(100|10\s*/\s*10|5\s*/\s*5)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(i'?d|i\s+would|we'?d|we\s+would)\s+(really\s+|greatly\s+|truly\s+|very\s+much\s+)?(appreciate|love|like|be\s+grateful\s+for)\b[^.\n]{0,40}\b(full\s+marks|top\s+marks|(full|top|high|perfect|maximum|good|great|generous|passing)\s+(score|grade|rating|mark|marks|points)|pass(ing)?\s+grade|10\s*/\s*10|100\s*/\s*100|5\s*/\s*5)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(could|would|can|will)\s+you\s+(please\s+|kindly\s+)?(give|award|grant|mark|score|grade|rate|pass)\s+(me|this|it|my\s+answer|this\s+answer)\b[^.\n]{0,40}\b(marks|score|grade|rating|points|credit|pass|10|100|high|highly|generously)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(please|kindly|pls|plz)\s+(just\s+)?((give|award|grant)\s+(me|this|it|my\s+answer)\b[^.\n]{0,30}\b(marks|score|points|grade|pass|credit|10|100)\b|(pass|accept)\s+(me|this|my\s+answer)\b|be\s+(generous|lenient|kind)\b|(mark|grade|score|rate)\s+(me|this|it|my\s+answer)\s+(high|highly|generously|well|leniently|favou?rably)\b)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(be|go)\s+(easy|lenient|generous|gentle)\s+(on|with)\s+(me|this|the\s+(grading|marking|score))\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(mark|grade|score|rate|count|treat|consider|evaluate)\s+(this\s+answer|my\s+answer|this\s+response|my\s+response|me)\s+(as\s+)?(correct|complete|excellent|perfect|passing|a\s+pass|full|outstanding|flawless|fully\s+correct)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(this|my)\s+(answer|response)\s+(has\s+been\s+|was\s+|is\s+)?(already\s+|pre-?)(graded|approved|verified|scored|validated)\b|\b(approved|verified|graded)\s+by\s+(a\s+|the\s+)?(senior|human|lead|staff|principal)\s+(engineer|reviewer|interviewer|grader)\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\bi\s+(really\s+)?need\s+(a\s+(high|good|passing|perfect|top)\s+(score|grade|mark)|to\s+pass\s+(this|the)\s+(interview|test|assessment|question|round))\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(note|message|instructions?|hint|memo|reminder|p\.?s\.?|comment)\s+(to|for)\s+(the\s+|any\s+|our\s+)?(grader|evaluator|reviewer|examiner|marker|assessor|ai|a\.i\.|llm|model|assistant|judge|grading\s+(system|model|ai|bot)|bot)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(dear|hey|hi|hello|attention|attn)[\s,:]+(the\s+)?(grader|evaluator|examiner|marker|assessor|ai|llm|model|judge|grading\s+(system|model|ai|bot)|reviewer)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\bto\s+(the|any)\s+(ai|llm|model|grader|evaluator|assistant|judge)\s+(reading|grading|evaluating|scoring|reviewing|marking)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(for|to)\s+the\s+(grader|evaluator|examiner|marker|assessor|grading\s+(system|model|bot|ai))\b",
    ),
    (
        Form::MarksRequest,
        r"(?i)\bmark\s+(all|every|each)\s+([\w-]+\s+){0,3}(as\s+)?(present|covered|met|correct|complete)\b|\bgive\s+(it|this|me)\s+(a\s+)?(label|score|grade|rating)\s+(of\s+)?\d",
    ),
    (
        Form::GraderAddress,
        r"(?i)\bif\s+you\s+are\s+(an?\s+)?(ai|llm|language\s+model|grader|evaluator|grading\s+(model|system)|assistant|bot|automated)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\byou\s+are\s+(now\s+)?(a|an|the|my)\s+(grader|evaluator|judge|assistant|ai|language\s+model|chatbot|lenient|generous)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(pretend|act\s+as\s+if|imagine)\s+(you\s+are|you're|to\s+be)\s+(a|an|the)\s+(grader|evaluator|judge|assistant|model)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\bas\s+an\s+ai\s+language\s+model\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(the\s+grader|the\s+evaluator|the\s+ai|the\s+judge|the\s+llm|the\s+examiner|the\s+marker)\s+(must|should|will|shall|is\s+required\s+to|needs?\s+to)\s+(give|award|score|mark|rate|grade|pass|accept|output|return|respond)\b",
    ),
    (
        Form::GraderAddress,
        r"(?im)^\s*[>*_\-]*\s*(grader|evaluator|examiner|assessor|ai|llm|judge|grading\s+note)\s*:",
    ),
    // ---------------------------------------------------------------- role and template markers
    (
        Form::RoleMarker,
        r"(?im)^\s*[>*_\-]*\s*(system|assistant|developer)\s*:",
    ),
    (
        Form::RoleMarker,
        r"(?i)<\|\s*(im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\s*\|>",
    ),
    (
        Form::RoleMarker,
        r"(?i)\[/?INST\]|<<\s*/?SYS\s*>>|<start_of_turn>|<end_of_turn>",
    ),
    (
        Form::RoleMarker,
        r"(?im)^\s*#{2,}\s*(system|instruction|instructions|response|assistant|human)\b",
    ),
    (
        Form::RoleMarker,
        r"(?i)</?\s*(system|instructions?|admin|grader)\s*>",
    ),
    (
        Form::RoleMarker,
        r#"(?i)"role"\s*:\s*"(system|assistant|developer)""#,
    ),
    // ---------------------------------------------------------------- fake results
    (
        Form::FakeResult,
        r#"(?im)(^|[{,])\s*["']?(overall|overall_score|final_score|total_score|final_grade|grade|verdict|overall_grade)["']?\s*[:=]\s*["']?(\d+|pass|passed|excellent|perfect|a\+?|full|strong\s+hire|hire)\b"#,
    ),
    (
        Form::FakeResult,
        r#"(?i)["']?\b(score|rating|marks|points|accuracy|depth|clarity|examples)["']?\s*[:=]\s*["']?(100\s*/\s*100|10\s*/\s*10|5\s*/\s*5|100\s*%|full|perfect|max|maximum)"#,
    ),
    (
        Form::FakeResult,
        r"(?i)\ball\s+(the\s+)?(expected\s+)?(key\s+points|points|criteria|rubric\s+items|requirements|star\s+parts)\s+(are\s+|were\s+|have\s+been\s+)?(covered|met|satisfied|addressed|fulfilled|present|included)\b",
    ),
    (
        Form::FakeResult,
        r"(?i)(->|=>|→)\s*(pass|passed|full\s+marks|100)\b|\bverdict\s*[:=]\s*\w+",
    ),
    // ---------------------------------------------------------------- checklists for the grader
    (
        Form::Checklist,
        r"(?i)\b(key\s+points?|points|criteria|rubric(\s+items)?|checklist|requirements)\s+(covered|addressed|met|hit|satisfied|included|mentioned)\s*(\([^)\n]{0,40}\))?\s*:",
    ),
    (Form::Checklist, r"(?im)^\s*(covered|checklist|rubric)\s*:"),
    // ---------------------------------------------------------------- French
    (
        Form::Override,
        r"(?i)\b(ignore[rz]?|oublie[rz]?|ne\s+tiens?\s+pas\s+compte\s+d)\s*(de\s+|des\s+)?(toutes?\s+|tous\s+)?(les\s+|tes\s+|vos\s+|ces\s+)?(instructions|consignes|règles|directives|critères)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(note|notation|score)\s+(maximale|parfaite|maximum|complète)|\bmeilleure\s+note\b|\b(donne[rz]?|attribue[rz]?|mets|mettez)(-moi|-lui|\s+moi)?\s+[^.\n]{0,30}\b(note|points)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(cher|chère|note\s+(au|pour\s+le|à\s+l'attention\s+du)|à\s+l'attention\s+du|au)\s+(correcteur|évaluateur|examinateur|correctrice|évaluatrice)\b",
    ),
    // ---------------------------------------------------------------- German
    (
        Form::Override,
        r"(?i)\b(ignorier\w*|vergiss\w*|vergessen\s+sie|missacht\w*)\s+(\w+\s+){0,3}(anweisungen|instruktionen|regeln|vorgaben|bewertungskriterien|kriterien)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(volle|maximale|höchste|beste)\s+(punktzahl|punkte|note|bewertung)\b|\bbestnote\b|\b(gib|gebt|geben\s+sie|vergib|vergeben\s+sie)\s+(mir|dieser\s+antwort|der\s+antwort)?\s*[^.\n]{0,25}\b(punkte|punktzahl|note|bewertung)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(lieber|liebe|an\s+den|an\s+die|hinweis\s+für\s+den|notiz\s+für\s+den)\s+(bewerter|prüfer|korrektor|bewerterin|prüferin)\b",
    ),
    // ---------------------------------------------------------------- Spanish
    (
        Form::Override,
        r"(?i)\b(ignora|ignore|ignorar|olvida|olvide|olvidar)\s+(\w+\s+){0,3}(instrucciones|reglas|indicaciones|criterios)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(puntuación|nota|calificación|puntaje)\s+(máxima|perfecta|completa)\b|\bmáxima\s+(puntuación|nota|calificación)\b|\b(dame|dale|otórgame|asígname|asigna|denme)\s+[^.\n]{0,25}\b(puntuación|nota|calificación|puntos|puntaje)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(querido|estimado|nota\s+para\s+el|al)\s+(evaluador|corrector|examinador|calificador)\b",
    ),
    // ---------------------------------------------------------------- Portuguese
    (
        Form::Override,
        r"(?i)\b(ignore|ignora|ignorar|esqueça|esqueca|desconsidere)\s+(\w+\s+){0,3}(instruções|instrucoes|regras|orientações|orientacoes|critérios|criterios)",
    ),
    (
        Form::MarksRequest,
        r"(?i)\b(nota|pontuação|pontuacao)\s+(máxima|maxima|perfeita|total|dez)\b|\b(me\s+dê|me\s+de|dê|dá|atribua|me\s+dá)\s+[^.\n]{0,25}\b(nota|pontuação|pontuacao|pontos)\b",
    ),
    (
        Form::GraderAddress,
        r"(?i)\b(caro|prezado|nota\s+para\s+o|ao)\s+(avaliador|corretor|examinador)\b",
    ),
    // ---------------------------------------------------------------- Russian
    (
        Form::Override,
        r"(?i)(игнориру\w*|игнорир\w*|забуд\w*|не\s+обращай\w*\s+внимани\w*\s+на)\s+(\w+\s+){0,3}(инструкци\w*|указани\w*|правил\w*|критери\w*)",
    ),
    (
        Form::MarksRequest,
        r"(?i)(максимальн\w*|высш\w*|наивысш\w*|полн\w*)\s+(балл\w*|оценк\w*)|(поставь\w*|дай\w*|выстав\w*)\s+[^.\n]{0,25}(балл\w*|оценк\w*)",
    ),
    (
        Form::GraderAddress,
        r"(?i)(уважаем\w*|дорог\w*|для|к)\s+(проверяющ\w*|оценщик\w*|экзаменатор\w*|эксперт\w*)",
    ),
    // ---------------------------------------------------------------- Chinese
    (
        Form::Override,
        r"(忽略|无视|忽视|不要理会|不要管)[^。！？\n]{0,10}(指令|指示|说明|规则|提示|要求|评分标准)",
    ),
    (
        Form::MarksRequest,
        r"满分|最高分|打高分|给高分|(给|打)[^。！？\n]{0,6}(100|十|10)分",
    ),
    (
        Form::GraderAddress,
        r"(评分员|评分者|评卷人|阅卷老师|阅卷人|考官|评审员|评估者)|你现在是|你是一?个?(评分|评审|AI|助手)",
    ),
];

/// Words that show a code or HTML comment speaks to the grader rather than about the code.
pub const COMMENT_WORDS: &str = r"(?i)\b(grader|grading|graded|evaluator|evaluating\s+this|examiner|marker|assessor|rubric|llm|language\s+model|full\s+marks|full\s+score|max(imum)?\s+score|the\s+ai|an\s+ai|dear\s+ai|ai\s+model|reviewer|interviewer|score\s+this|mark\s+this|key\s+points)\b";
