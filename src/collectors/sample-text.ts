/**
 * Vocabulary of the `sample` collector: short product reviews and support
 * messages in English and Korean, built from opener + detail + closer so
 * that accidental exact repeats are rare (well under 1% of 10k rows).
 */
import { intBetween, pick, type Random } from './prng';

/** Sentiment buckets; the rating follows the bucket. */
type Mood = 'neg' | 'mid' | 'pos';
type Part = (p: string, n: number) => string;

const EN_PRODUCTS = [
  'wireless earbuds', 'coffee grinder', 'running shoes', 'phone case', 'desk lamp', 'backpack', 'air fryer',
  'yoga mat', 'smart watch', 'blender', 'café latte pods', 'crème brûlée torch', 'jalapeño hot sauce', 'Pokémon card sleeves',
];
const KO_PRODUCTS = [
  '무선 이어폰', '커피 그라인더', '운동화', '휴대폰 케이스', '책상 스탠드', '백팩', '에어프라이어', '요가 매트', '스마트워치', '믹서기',
  '전기포트', '블루투스 스피커',
];

const EN_OPENERS: Record<Mood, Part[]> = {
  neg: [
    (p, n) => `The ${p} stopped working after ${n} days.`,
    (p) => `Really disappointed with this ${p}.`,
    (p, n) => `Order #${40000 + n * 37} arrived late and the ${p} was damaged.`,
    (p) => `Refund requested: the ${p} came in the wrong color.`,
  ],
  mid: [
    (p) => `The ${p} works as described, nothing special.`,
    (p) => `Can someone help me reset my ${p}? The manual is useless.`,
    (p, n) => `Second ${p} I bought this year (${n} weeks apart), it's okay.`,
    (p) => `It's fine, but the app keeps crashing when I pair the ${p}.`,
  ],
  pos: [
    (p) => `Love this ${p}! Looks great and feels solid.`,
    (p) => `Great value for the price, would buy the ${p} again.`,
    (p, n) => `Best ${p} I've owned in ${n} years.`,
    (p) => `Tried the ${p} at the café next door and had to get one — naïve me waited too long.`,
  ],
};
const KO_OPENERS: Record<Mood, Part[]> = {
  neg: [
    (p, n) => `${p} 사용한 지 ${n}일 만에 고장 났어요.`,
    (p, n) => `${p} 배송이 너무 늦었어요. ${n}일이나 걸렸습니다.`,
    (p, n) => `주문번호 ${40000 + n * 37} 환불 요청합니다. ${p} 색상이 다르게 왔어요.`,
    (p) => `${p} 품질이 기대 이하예요. 실망입니다.`,
  ],
  mid: [
    (p) => `${p} 그냥 무난해요.`,
    (p) => `앱에서 ${p} 연결이 자꾸 끊겨요. 해결 방법 있나요?`,
    (p, n) => `${p} 두 번째 구매입니다 (${n}주 만에). 보통이에요.`,
    (p) => `${p} 설명서가 너무 어려워요.`,
  ],
  pos: [
    (p) => `정말 만족합니다! ${p} 품질이 좋아요.`,
    (p) => `가격 대비 괜찮아요. 다음에도 ${p} 살게요.`,
    (p, n) => `${n}년 동안 써 본 ${p} 중 최고예요.`,
    (p) => `포장이 꼼꼼하고 ${p} 디자인도 예뻐요.`,
  ],
};

const EN_DETAILS: Part[] = [
  (_p, n) => `Support replied within ${n} hours.`,
  (_p, n) => `I have been using it for ${n} days now.`,
  (_p, n) => `Battery lasts about ${n} hours.`,
  (_p, n) => `Shipping took ${n} days.`,
  (_p, n) => `The box was a bit dented, ${n} km from the warehouse.`,
  (_p, n) => `Paid $${n}.99 on sale.`,
  (_p, n) => `My déjà vu moment: same issue as my old one from ${n} months ago.`,
  (_p, n) => `Rated after ${n} uses.`,
];
const KO_DETAILS: Part[] = [
  (_p, n) => `고객센터는 ${n}시간 만에 답장했어요.`,
  (_p, n) => `${n}일째 사용 중입니다.`,
  (_p, n) => `배터리는 ${n}시간 정도 가요.`,
  (_p, n) => `배송은 ${n}일 걸렸어요.`,
  (_p, n) => `박스가 조금 찌그러져 있었어요. ${n}번째 주문이에요.`,
  (_p, n) => `할인가 ${n},900원에 샀어요.`,
  (_p, n) => `${n}번 써 보고 남기는 후기예요.`,
];
const EN_CLOSERS: Record<Mood, string[]> = {
  neg: ['Not recommended.', 'Want my money back.', 'Never again.', '1 star.', ''],
  mid: ['Might update later.', 'Average overall.', 'Thanks.', ''],
  pos: ['Highly recommend!', 'Five stars.', 'Thank you!', ':)', ''],
};
const KO_CLOSERS: Record<Mood, string[]> = {
  neg: ['비추천합니다.', '환불해 주세요.', '다시는 안 사요.', ''],
  mid: ['나중에 다시 후기 남길게요.', '감사합니다.', ''],
  pos: ['강력 추천해요!', '별 다섯 개!', '감사합니다 :)', ''],
};

const EN_COLORS = ['black', 'white', 'navy', 'red', 'sage green', 'grey', 'pink', 'silver', 'beige', 'orange'];
const KO_COLORS = ['검은색', '흰색', '남색', '빨간색', '초록색', '회색', '분홍색', '은색', '베이지', '주황색'];

const RATINGS: Record<Mood, readonly number[]> = { neg: [1, 2], mid: [3], pos: [4, 5] };
const MOODS: readonly Mood[] = ['neg', 'mid', 'pos', 'pos'];

/** One clean generated text with its language and rating. */
export interface BaseText {
  text: string;
  lang: 'en' | 'ko';
  rating: number;
}

/** Build one clean review/support message. */
export function makeBaseText(rnd: Random, koreanRatio: number): BaseText {
  const lang = rnd() < koreanRatio ? 'ko' : 'en';
  const mood = pick(rnd, MOODS);
  const ko = lang === 'ko';
  const product = `${pick(rnd, ko ? KO_COLORS : EN_COLORS)} ${pick(rnd, ko ? KO_PRODUCTS : EN_PRODUCTS)}`;
  const opener = pick(rnd, (ko ? KO_OPENERS : EN_OPENERS)[mood])(product, intBetween(rnd, 2, 61));
  const detail = pick(rnd, ko ? KO_DETAILS : EN_DETAILS)(product, intBetween(rnd, 2, 99));
  const closer = pick(rnd, (ko ? KO_CLOSERS : EN_CLOSERS)[mood]);
  let text = `${opener} ${detail}`;
  if (closer) text += ` ${closer}`;
  return { text, lang, rating: pick(rnd, RATINGS[mood]) };
}

/** Channels a message can arrive through. */
export const CHANNELS = ['app_review', 'email', 'chat', 'web_form', 'call_center_note'] as const;
