/**
 * What a runner speaks at a server's startup (see WarmUpRequest): everyday Mandarin and
 * English, several times over, about as much as eSpeak needs before it runs at full speed
 * (measured in runner CPU time: a cold runner spends 1.4 s, then 0.9 s on its first two 300-character
 * Chinese texts, 0.2–0.4 s on later ones; after this warm-up, 0.2–0.4 s from the first).
 */
export const WARM_UP_TEXTS: Readonly<Record<string, string>> = {
  zh: '今天天气很好，我们一起去公园散步。春天来了，花都开了，小鸟在树上唱歌。孩子们在草地上跑来跑去，老人坐在长椅上聊天。傍晚的时候，太阳慢慢落下山，大家高高兴兴地回家吃饭。明天我们还要去图书馆看书，然后给朋友写一封信。',
  en: 'The weather is lovely today, so we are going for a long walk in the park. Spring has come, the flowers are open and the birds are singing in the trees. Children run across the grass while their grandparents talk on the benches. In the evening the sun goes down behind the hills and everyone walks home for dinner.',
};

/** How many times each language's text is spoken. */
export const WARM_UP_ROUNDS = 4;
