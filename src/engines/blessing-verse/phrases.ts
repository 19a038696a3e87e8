/**
 * Phrase banks for the blessing verse composer, keyed by the theme a wish is about.
 * Chinese lines are seven characters, in the manner of 七言 greeting verses.
 */
export type Theme = 'health' | 'prosperity' | 'study' | 'love' | 'birthday' | 'newyear' | 'career' | 'general';

/** Checked in this order: occasions first, then the broader wishes. */
export const THEME_KEYWORDS: Readonly<Record<Exclude<Theme, 'general'>, readonly string[]>> = {
  birthday: ['生日', '寿', 'birthday'],
  newyear: ['新年', '春节', '过年', 'new year', 'spring festival'],
  health: ['健康', '平安', '长寿', 'health', 'healthy', 'well', 'recover'],
  study: ['学业', '考试', '金榜', '进步', 'study', 'exam', 'school', 'learn'],
  career: ['事业', '工作', '升职', '顺利', 'career', 'job', 'work', 'success'],
  prosperity: ['发财', '财', '富', '兴隆', 'wealth', 'rich', 'prosper', 'fortune'],
  love: ['爱', '幸福', '美满', '婚', 'love', 'happy', 'marriage', 'wedding'],
};

export const ZH_LINES: Readonly<Record<Theme, readonly string[]>> = {
  health: ['身强体健福满堂', '岁岁平安笑语长', '青松不老寿而康', '春风常驻好时光'],
  prosperity: ['财源滚滚似春潮', '金玉满堂步步高', '生意兴隆通四海', '福星高照乐逍遥'],
  study: ['寒窗苦读志凌云', '金榜题名耀门庭', '学海无涯勤作舟', '前程似锦展鹏程'],
  love: ['花好月圆情意长', '心心相印共朝阳', '执手同行岁月暖', '白头偕老福满堂'],
  birthday: ['福如东海水长流', '寿比南山不老松', '生辰快乐人团圆', '年年今日笑颜开'],
  newyear: ['爆竹声中一岁除', '春风送暖入屠苏', '新年纳福喜盈门', '万事如意岁岁安'],
  career: ['鹏程万里展宏图', '事业腾飞步步高', '乘风破浪正当时', '心想事成好运来'],
  general: ['吉星高照福满门', '心想事成万事顺', '笑口常开好运来', '平安喜乐度春秋'],
};

export const EN_LINES: Readonly<Record<Theme, readonly string[]>> = {
  health: ['May every morning find you strong,', 'your days be bright, your nights be long,', 'your laughter loud, your spirit free,', 'and health your faithful company.'],
  prosperity: ['May fortune knock and stay a while,', 'may every venture make you smile,', 'your table full, your worries few,', 'and good things always come to you.'],
  study: ['May every page you turn be bright,', 'each hard-won answer come out right,', 'your questions lead to wider skies,', 'and every test a fair surprise.'],
  love: ['May love be gentle, warm and near,', 'grow deeper with each passing year,', 'two hearts that keep a shared design,', 'like vines that round each other twine.'],
  birthday: ['Another year, another light,', 'a candle burning clear and bright,', 'may all you wish for, large and small,', 'come dancing through your open hall.'],
  newyear: ['The old year bows, the new one sings,', 'with open hands and brand-new things,', 'may every day that lies ahead', 'be kind, and warm, and richly fed.'],
  career: ['May every road you choose run true,', 'each open door be meant for you,', 'your work be proud, your efforts grow,', 'and all your colleagues know it so.'],
  general: ['May luck walk with you all your days,', 'in quiet and in festive ways,', 'may all you hope for come to be,', 'and joy keep you good company.'],
};
