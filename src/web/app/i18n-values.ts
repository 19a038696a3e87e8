import type { Language } from './language.ts';

/**
 * Translations of values that come from the server or the task schemas: dropdown options,
 * error codes, step types (progress) and pipeline ids. Keyed by the stable identifier, so
 * the server keeps speaking English identifiers and the studio shows them in either language.
 */
type Labels = Readonly<Record<string, Readonly<Record<Language, string>>>>;

const OPTIONS = {
  mood: {
    warm: { zh: '温暖', en: 'Warm' },
    festive: { zh: '喜庆', en: 'Festive' },
    lyrical: { zh: '抒情', en: 'Lyrical' },
    gentle: { zh: '轻柔', en: 'Gentle' },
    energetic: { zh: '活力', en: 'Energetic' },
    melancholy: { zh: '忧伤', en: 'Melancholy' },
  },
  genre: {
    pop: { zh: '流行', en: 'Pop' },
    ballad: { zh: '慢歌', en: 'Ballad' },
    folk: { zh: '民谣', en: 'Folk' },
    waltz: { zh: '华尔兹', en: 'Waltz' },
    chinese: { zh: '中国风', en: 'Chinese style' },
  },
  vocals: {
    sung: { zh: '演唱', en: 'Sung' },
    spoken: { zh: '朗诵', en: 'Spoken' },
    none: { zh: '纯音乐（无人声）', en: 'Instrumental (no vocals)' },
  },
  videoEdit: {
    cover: { zh: '智能封面', en: 'Smart cover' },
    portrait: { zh: '横屏转竖屏', en: 'Landscape to portrait' },
    stabilize: { zh: '防抖', en: 'Stabilise' },
    enhance: { zh: '画质增强', en: 'Enhance' },
    subtitles: { zh: '加字幕', en: 'Subtitles' },
    dub: { zh: '配音', en: 'Dub' },
    folder: { zh: '素材文件夹成片', en: 'Folder of clips → short' },
  },
  visionMode: {
    ocr: { zh: '文字识别（OCR）', en: 'Read text (OCR)' },
    caption: { zh: '描述图片', en: 'Describe the picture' },
    question: { zh: '就图片提问', en: 'Ask about the picture' },
  },
  language: {
    zh: { zh: '中文', en: 'Chinese' },
    en: { zh: '英文', en: 'English' },
  },
  aspect: {
    '16:9': { zh: '16:9 横屏', en: '16:9 landscape' },
    '9:16': { zh: '9:16 竖屏', en: '9:16 portrait' },
    '1:1': { zh: '1:1 方形', en: '1:1 square' },
  },
  audioFormat: {
    wav: { zh: 'WAV', en: 'WAV' },
    mp3: { zh: 'MP3', en: 'MP3' },
    ogg: { zh: 'OGG', en: 'OGG' },
    flac: { zh: 'FLAC', en: 'FLAC' },
  },
  detail: {
    low: { zh: '低（面数少，最快）', en: 'Low (fewest triangles, fastest)' },
    medium: { zh: '中', en: 'Medium' },
    high: { zh: '高（曲面最细）', en: 'High (smoothest curves)' },
  },
  model3dSource: {
    library: { zh: '内置物件库', en: 'Built-in library' },
    'text-model': { zh: '文本模型编写', en: 'Written by the text model' },
    program: { zh: '已保存的场景程序', en: 'Stored scene program' },
  },
  modelFormat: {
    glb: { zh: 'GLB（通用 3D，推荐）', en: 'GLB (any 3D app, recommended)' },
    gltf: { zh: 'glTF（文本版）', en: 'glTF (text form)' },
    stl: { zh: 'STL（3D 打印）', en: 'STL (3D printing)' },
    '3mf': { zh: '3MF（3D 打印，带颜色）', en: '3MF (3D printing, with colour)' },
    usdz: { zh: 'USDZ（苹果 AR 快速查看）', en: 'USDZ (Apple AR Quick Look)' },
  },
  motionFormat: {
    glb: { zh: 'GLB（带人体模型，通用 3D 软件与游戏引擎）', en: 'GLB (with a mannequin; any 3D app or game engine)' },
    bvh: { zh: 'BVH（骨骼动画，动作捕捉格式）', en: 'BVH (skeleton animation, motion-capture format)' },
  },
  /** Where a motion's plan came from (the step's `source` output). */
  motionSource: {
    rules: { zh: '规则解析（离线）', en: 'Rule-based parser (offline)' },
    'text-model': { zh: '文本模型扩写', en: 'Expanded by the text model' },
    plan: { zh: '已保存的动作计划', en: 'Stored action plan' },
    humanml3d: { zh: '导入的关节数据（HumanML3D）', en: 'Imported joints (HumanML3D)' },
    provider: { zh: '动作生成服务（HumanML3D 关节）', en: 'Motion server (HumanML3D joints)' },
  },
  motionView: {
    mannequin: { zh: '人体模型', en: 'Mannequin' },
    skeleton: { zh: '骨骼', en: 'Skeleton' },
  },
  /** The action vocabulary (ACTIONS in src/engines/motion/action-plan.ts), as the timeline names them. */
  motionAction: {
    idle: { zh: '站立', en: 'Idle' },
    walk: { zh: '走', en: 'Walk' },
    run: { zh: '跑', en: 'Run' },
    jog: { zh: '慢跑', en: 'Jog' },
    turn: { zh: '转身', en: 'Turn' },
    jump: { zh: '跳', en: 'Jump' },
    sit_down: { zh: '坐下', en: 'Sit down' },
    stand_up: { zh: '站起', en: 'Stand up' },
    kneel: { zh: '跪下', en: 'Kneel' },
    bow: { zh: '鞠躬', en: 'Bow' },
    wave: { zh: '挥手', en: 'Wave' },
    clap: { zh: '鼓掌', en: 'Clap' },
    point: { zh: '指向', en: 'Point' },
    nod: { zh: '点头', en: 'Nod' },
    shake_head: { zh: '摇头', en: 'Shake head' },
    punch: { zh: '出拳', en: 'Punch' },
    kick: { zh: '踢腿', en: 'Kick' },
    pick_up: { zh: '拾起', en: 'Pick up' },
    throw: { zh: '投掷', en: 'Throw' },
    look_around: { zh: '环顾', en: 'Look around' },
    stretch: { zh: '伸展', en: 'Stretch' },
    dance_step: { zh: '舞步', en: 'Dance step' },
    tai_chi: { zh: '太极', en: 'Tai chi' },
  },
  /** The Digital human page: the consent's basis (CONSENT_BASES in src/governance/moderation/consent.ts), resolution and layout. */
  consentBasis: {
    self: { zh: '本人（照片中就是我）', en: 'Myself (the photo is of me)' },
    written: { zh: '本人书面同意', en: 'Their written consent' },
    contract: { zh: '合同授权', en: 'Under contract' },
    'public-domain': { zh: '公有领域的照片（如政府公开照片）', en: 'A public-domain photo (e.g. a government photo)' },
    'ai-generated': { zh: '人工智能生成，不是真实人物', en: 'AI-generated: no real person' },
  },
  dhResolution: {
    source: { zh: '与照片相同', en: 'Same as the photo' },
    '720p': { zh: '720p', en: '720p' },
    '1080p': { zh: '1080p', en: '1080p' },
  },
  dhLayout: {
    portrait: { zh: '人像（照片原构图）', en: 'Portrait (the photo’s framing)' },
    presenter: { zh: '竖屏主播（9:16）', en: 'Presenter (9:16)' },
  },
  /** Idea → short: the sound effects (SOUND_EFFECTS in src/engines/short/short-script.ts), where in a scene a cue sounds, and the music choice. */
  soundEffect: {
    whoosh: { zh: '嗖', en: 'Whoosh' },
    pop: { zh: '啵', en: 'Pop' },
    chime: { zh: '叮咚', en: 'Chime' },
    bell: { zh: '铃声', en: 'Bell' },
    rain: { zh: '雨声', en: 'Rain' },
    wind: { zh: '风声', en: 'Wind' },
    crowd: { zh: '人群', en: 'Crowd' },
    applause: { zh: '掌声', en: 'Applause' },
    footsteps: { zh: '脚步声', en: 'Footsteps' },
    typing: { zh: '打字声', en: 'Typing' },
    heartbeat: { zh: '心跳', en: 'Heartbeat' },
    firework: { zh: '烟花', en: 'Firework' },
    thunder: { zh: '雷声', en: 'Thunder' },
  },
  cuePlace: {
    start: { zh: '开头', en: 'at the start' },
    middle: { zh: '中间', en: 'midway' },
    end: { zh: '结尾', en: 'at the end' },
  },
  shortMusic: {
    bed: { zh: '自动作曲的背景音乐', en: 'A music bed from the composer' },
    none: { zh: '不要音乐', en: 'No music' },
    upload: { zh: '我的音乐', en: 'My own track' },
  },
  kind: {
    audio: { zh: '音频', en: 'audio' },
    image: { zh: '图像', en: 'image' },
    video: { zh: '视频', en: 'video' },
    text: { zh: '文本', en: 'text' },
    subtitle: { zh: '字幕', en: 'subtitle' },
    midi: { zh: 'MIDI', en: 'MIDI' },
    document: { zh: '文档', en: 'document' },
    model3d: { zh: '3D 模型', en: '3D model' },
    code: { zh: '代码', en: 'code' },
    json: { zh: 'JSON', en: 'JSON' },
    motion: { zh: '动作', en: 'motion' },
  },
  task: {
    text: { zh: '文本', en: 'text' },
    code: { zh: '代码', en: 'code' },
    science: { zh: '理科解题', en: 'science' },
    speech: { zh: '语音合成', en: 'speech' },
    transcription: { zh: '语音识别', en: 'transcription' },
    image: { zh: '图像', en: 'image' },
    music: { zh: '音乐', en: 'music' },
    video: { zh: '视频', en: 'video' },
    vision: { zh: '视觉', en: 'vision' },
    '3d': { zh: '3D', en: '3D' },
    motion: { zh: '动作', en: 'motion' },
  },
} as const satisfies Record<string, Labels>;

export type OptionGroup = keyof typeof OPTIONS;

/** The label of a dropdown value; an unknown value shows as itself. */
export function optionLabel(language: Language, group: OptionGroup, value: string): string {
  const labels: Labels = OPTIONS[group];
  return labels[value]?.[language] ?? value;
}

/** What each stable error code means, for a reader; the server's own message follows as detail. */
const ERRORS: Labels = {
  INVALID_INPUT: { zh: '输入有误', en: 'The input is not valid' },
  CONTEXT_OVERFLOW: { zh: '内容超出了模型的上下文长度', en: "The text is longer than the model's context" },
  MEDIA_INVALID: { zh: '无法读取这个媒体文件', en: 'This media file cannot be read' },
  FACE_NOT_USABLE: { zh: '这张人像中没有可驱动的正脸', en: 'This portrait has no face that can be animated' },
  SCENE_INVALID: { zh: '这个 3D 场景程序无法构建', en: 'This 3D scene program cannot be built' },
  UNSUPPORTED_LANGUAGE: { zh: '不支持这种语言', en: 'This language is not supported' },
  UNKNOWN_VOICE: { zh: '没有这个声音', en: 'There is no such voice' },
  MODEL_NOT_FOUND: { zh: '没有这个模型', en: 'There is no such model' },
  MODEL_NOT_INSTALLED: { zh: '需要的模型还没有下载', en: 'The model this needs is not installed yet' },
  MODEL_CHECKSUM_MISMATCH: { zh: '模型文件校验失败', en: "The model file's checksum does not match" },
  MODEL_INVALID: { zh: '模型文件无法使用', en: 'The model file cannot be used' },
  MODEL_DOWNLOAD_FAILED: { zh: '模型下载失败', en: 'The model download failed' },
  JOB_NOT_FOUND: { zh: '找不到这个任务', en: 'No such job' },
  ARTIFACT_NOT_FOUND: { zh: '找不到这个作品', en: 'No such artifact' },
  UPLOAD_NOT_FOUND: { zh: '找不到这个上传文件（可能已过期）', en: 'No such upload (it may have expired)' },
  ENGINE_UNAVAILABLE: { zh: '这个功能的引擎不可用', en: 'No engine is available for this' },
  ENGINE_FAILED: { zh: '引擎运行失败', en: 'The engine failed' },
  ENGINE_BUSY: { zh: '引擎正忙，请稍后再试', en: 'The engine is busy; try again shortly' },
  ENGINE_TIMEOUT: { zh: '引擎超时', en: 'The engine timed out' },
  PROVIDER_KEY_MISSING: { zh: '云端服务商的 API 密钥未设置', en: "The cloud provider's API key is not set" },
  PROVIDER_UNAVAILABLE: { zh: '云端服务商暂时不可用', en: 'The cloud provider is unavailable' },
  PROVIDER_REJECTED: { zh: '云端服务商拒绝了请求', en: 'The cloud provider refused the request' },
  JOB_FAILED: { zh: '任务失败', en: 'The job failed' },
  JOB_INTERRUPTED: { zh: '任务被中断', en: 'The job was interrupted' },
  JOB_CANCELLED: { zh: '任务已取消', en: 'The job was cancelled' },
  GOVERNANCE_REFUSED: { zh: '未通过内容审核或肖像授权检查', en: 'Refused by moderation or for missing consent' },
  PATH_NOT_ALLOWED: { zh: '不允许读取这个路径（不在允许的媒体目录中）', en: 'That path is outside the allowed media folders' },
  DISK_FULL: { zh: '磁盘空间不足', en: 'The disk is full' },
  RATE_LIMITED: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again shortly' },
  QUOTA_EXCEEDED: { zh: '已超出配额', en: 'The quota is used up' },
  UNAUTHORIZED: { zh: '需要有效的 API 密钥', en: 'A valid API key is needed' },
  FORBIDDEN: { zh: '没有权限', en: 'Not allowed' },
  PAYLOAD_TOO_LARGE: { zh: '文件太大', en: 'The file is too large' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持这种文件类型', en: 'This file type is not supported' },
  REQUEST_TIMEOUT: { zh: '请求超时', en: 'The request timed out' },
  INTERNAL: { zh: '服务器内部错误', en: 'Internal server error' },
  UNKNOWN_TASK: { zh: '没有这种任务', en: 'No such task' },
  UNKNOWN_PIPELINE: { zh: '没有这条流水线', en: 'No such pipeline' },
  UNKNOWN_STEP: { zh: '流水线用到了不存在的步骤', en: 'The pipeline uses an unknown step' },
  PIPELINE_INVALID: { zh: '流水线定义有误', en: 'The pipeline is not valid' },
  CONFIG_UNREADABLE: { zh: '无法读取配置文件', en: 'The configuration cannot be read' },
  CONFIG_INVALID: { zh: '配置有误', en: 'The configuration is not valid' },
  BLOB_NOT_FOUND: { zh: '找不到作品的文件', en: "The artifact's file is missing" },
  BLOB_CORRUPT: { zh: '作品文件已损坏', en: "The artifact's file is damaged" },
  BLOB_STORE_UNAVAILABLE: { zh: '无法连接对象存储（S3）', en: 'The object storage (S3) cannot be reached' },
  SIGNING_KEYS_MISSING: { zh: '缺少 C2PA 签名密钥', en: 'The C2PA signing keys are missing' },
  JOB_NOT_CANCELLABLE: { zh: '这个任务已结束，无法取消', en: 'The job has ended and cannot be cancelled' },
  JOB_RUNNING: { zh: '任务仍在运行，请先取消', en: 'The job is still running; cancel it first' },
  STORAGE_ERROR: { zh: '存储出错', en: 'Storage failed' },
  DATABASE_ERROR: { zh: '数据库出错', en: 'The database failed' },
  QUEUE_UNAVAILABLE: { zh: '暂时无法连接任务队列', en: 'The job queue (Redis) cannot be reached' },
  LEDGER_BROKEN: { zh: '来源账本校验失败', en: 'The provenance ledger does not verify' },
  ORIGIN_REFUSED: { zh: '拒绝了来自其他网站的请求', en: 'A request from another site was refused' },
  ROUTE_NOT_FOUND: { zh: '没有这个接口', en: 'No such endpoint' },
  RANGE_NOT_SATISFIABLE: { zh: '请求的范围无效', en: 'The requested range is not valid' },
  NOT_READY: { zh: '服务尚未就绪：有依赖暂时无法连接', en: 'Not ready: a dependency cannot be reached' },
  TOO_MANY_CONNECTIONS: { zh: '连接过多，请稍后再试', en: 'Too many connections; try again shortly' },
  BIND_REFUSED: { zh: '拒绝绑定这个地址', en: 'Binding that address was refused' },
  PORT_IN_USE: { zh: '端口已被占用', en: 'The port is already in use' },
};

/** A reader's title for an error code; unknown codes get the generic one. */
export function errorTitle(language: Language, code: string | null): string | null {
  return code === null ? null : (ERRORS[code]?.[language] ?? null);
}

/** What a running step is doing, by its type (the server's progress message is English detail). */
const STEPS: Labels = {
  'code.generate': { zh: '正在生成代码', en: 'Writing code' },
  'image.card': { zh: '正在绘制卡片', en: 'Drawing the card' },
  'image.cloud': { zh: '正在请求云端绘图', en: 'Asking the cloud image model' },
  'image.diffusion': { zh: '正在绘图', en: 'Painting' },
  'image.edit': { zh: '正在编辑图片', en: 'Editing the picture' },
  'music.cloud': { zh: '正在请求云端作曲', en: 'Asking the cloud music model' },
  'music.lyrics': { zh: '正在写歌词', en: 'Writing the lyrics' },
  'music.song': { zh: '正在作曲与演唱', en: 'Composing and singing' },
  'music.render-midi': { zh: '正在用音色库演奏 MIDI', en: 'Rendering the MIDI' },
  'model3d.generate': { zh: '正在生成 3D 模型', en: 'Building the 3D model' },
  'motion.generate': { zh: '正在生成动作', en: 'Making the motion' },
  'model3d.cloud': { zh: '正在请求云端 3D 模型', en: 'Asking the cloud 3D model' },
  'npc.reply': { zh: '正在回答', en: 'Answering' },
  'npc.promised-item': { zh: '正在找出要打造的物品', en: 'Finding the promised item' },
  'prompt.expand': { zh: '正在扩写提示词', en: 'Expanding the prompt' },
  'science.solve': { zh: '正在解题', en: 'Solving' },
  'speech.align': { zh: '正在对齐文稿', en: 'Aligning the script' },
  'speech.cloud': { zh: '正在请求云端语音', en: 'Asking the cloud voice' },
  'speech.piper': { zh: '正在合成语音', en: 'Synthesizing speech' },
  'speech.synthesize': { zh: '正在合成语音', en: 'Synthesizing speech' },
  'speech.transcribe': { zh: '正在识别语音', en: 'Recognising speech' },
  'text.blessing-verse': { zh: '正在写祝福语', en: 'Writing the verse' },
  'text.generate': { zh: '正在生成文本', en: 'Writing' },
  'video.article-script': { zh: '正在编写分镜脚本', en: 'Writing the script' },
  'video.cloud-clip': { zh: '正在请求云端视频', en: 'Asking the cloud video model' },
  'video.cover': { zh: '正在挑选封面', en: 'Choosing the cover' },
  'video.dub': { zh: '正在配音', en: 'Dubbing' },
  'video.enhance': { zh: '正在增强画质', en: 'Enhancing' },
  'video.folder-short': { zh: '正在剪辑成片', en: 'Cutting the short' },
  'video.lyric': { zh: '正在制作歌词视频', en: 'Making the lyric video' },
  'video.narrated': { zh: '正在配音并合成视频', en: 'Narrating and encoding' },
  'video.portrait': { zh: '正在转为竖屏', en: 'Reframing to portrait' },
  'video.scene-clips': { zh: '正在生成分镜画面', en: 'Making the scene clips' },
  'video.short': { zh: '正在配音、配乐并合成短视频', en: 'Narrating, scoring and encoding the short' },
  'video.short-pictures': { zh: '正在为每个镜头配图', en: 'Making a picture for each scene' },
  'video.short-script': { zh: '正在构思短视频脚本', en: 'Writing the short’s script' },
  'video.stabilize': { zh: '正在防抖', en: 'Stabilising' },
  'video.subtitles': { zh: '正在加字幕', en: 'Adding subtitles' },
  'video.talking-head': { zh: '正在生成数字人视频', en: 'Animating the portrait' },
  'vision.describe': { zh: '正在看图', en: 'Looking at the picture' },
  'vision.ocr': { zh: '正在识别文字', en: 'Reading the text' },
};

/**
 * The progress line to show. English shows the server's own message (it has the detail);
 * Chinese shows the step's translated activity, and the server's text only where it has no
 * Latin words (e.g. a Chinese sentence being spoken).
 */
export function progressLabel(language: Language, stepType: string | null, message: string | null): string | null {
  if (language === 'en') return message ?? (stepType ? (STEPS[stepType]?.en ?? null) : null);
  const translated = stepType ? (STEPS[stepType]?.zh ?? null) : null;
  return translated ?? (message !== null && !/[A-Za-z]{2,}/.test(message) ? message : null);
}

/** Built-in pipelines' titles (the server's `title` is English). */
const PIPELINES: Labels = {
  'article-to-video': { zh: '文章转视频', en: 'Article to video' },
  'blessing-card': { zh: '祝福卡片', en: 'Blessing card' },
  'blessing-song': { zh: '祝福歌', en: 'Blessing song' },
  song: { zh: '歌词谱曲', en: 'Song from lyrics' },
  'lyric-video': { zh: '歌词视频', en: 'Lyric video' },
  'npc-reply': { zh: 'NPC 语音回复', en: 'NPC voice reply' },
  'npc-item': { zh: 'NPC 打造物品（3D）', en: 'NPC makes an item (3D)' },
  'talking-head': { zh: '数字人', en: 'Digital human' },
  short: { zh: '想法成片', en: 'Idea to short' },
  // The studio's script-only stage of `short` (an inline pipeline), as the gallery lists its jobs.
  'short-script': { zh: '短视频脚本', en: 'Short script' },
};

export function pipelineTitle(language: Language, id: string, serverTitle: string | null): string {
  // In Chinese an untranslated (user-registered) pipeline shows only its id, not the English title.
  return PIPELINES[id]?.[language] ?? (language === 'en' ? (serverTitle ?? id) : '');
}
