import type { ApiResponse } from '../../../client/index.js';
import { api, call, errorText } from '../api.js';
import { h, replace } from '../dom.js';
import { ELEMENT_LABELS, errorBox, loading, screenTitle, type ElementName, type Screen } from '../ui.js';

type Saju = ApiResponse<'/api/users/me/saju', 'get'>;
type Glyph = Saju['day_master'];
type PillarName = 'hour' | 'day' | 'month' | 'year';

// Read right to left in the traditional chart: 시주 일주 월주 연주.
const COLUMNS: [PillarName, string][] = [
  ['hour', '시주(時柱)'],
  ['day', '일주(日柱)'],
  ['month', '월주(月柱)'],
  ['year', '연주(年柱)'],
];
const YIN_YANG = { yang: '양(陽)', yin: '음(陰)' } as const;
const ELEMENT_MEANINGS: Record<ElementName, string> = {
  wood: '나무: 성장과 시작',
  fire: '불: 열정과 표현',
  earth: '흙: 안정과 신뢰',
  metal: '쇠: 결단과 원칙',
  water: '물: 지혜와 유연함',
};
const PILLAR_KOREAN: Record<string, string> = { year: '연주', month: '월주' };

export const sajuScreen: Screen = ({ main, alive }) => {
  const body = h('div', {}, loading());
  main.append(screenTitle('내 사주'), body);
  const load = async () => {
    try {
      const saju = await call(api.GET('/api/users/me/saju'));
      if (alive()) replace(body, ...sajuView(saju));
    } catch (error) {
      if (alive()) replace(body, errorBox(errorText(error), () => void load()));
    }
  };
  void load();
};

function glyphCell(glyph: Glyph, uncertain: boolean): HTMLTableCellElement {
  return h(
    'td',
    { class: `glyph el-${glyph.element}${uncertain ? ' uncertain' : ''}` },
    h('span', { class: 'hanja', lang: 'zh-Hant' }, glyph.hanja),
    h('span', { class: 'hangul' }, glyph.hangul),
    h('span', { class: 'element' }, `${ELEMENT_LABELS[glyph.element]} · ${YIN_YANG[glyph.yin_yang]}`),
  );
}

function sajuView(saju: Saju): HTMLElement[] {
  const ambiguous = new Set<string>(saju.ambiguous);
  const header = h(
    'tr',
    {},
    h('td', {}),
    COLUMNS.map(([key, label]) => h('th', { scope: 'col' }, label, ambiguous.has(key) ? h('span', { class: 'mark', 'aria-label': '불확실' }, ' *') : null)),
  );
  const row = (part: 'stem' | 'branch', label: string) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      COLUMNS.map(([key]) => {
        const pillar = saju.pillars[key];
        if (!pillar) return h('td', { class: 'glyph unknown' }, h('span', { class: 'hangul' }, '모름'), h('span', { class: 'element' }, '태어난 시간 없음'));
        return glyphCell(pillar[part], ambiguous.has(key));
      }),
    );
  const table = h(
    'table',
    { class: 'pillars' },
    h('caption', {}, '사주팔자'),
    h('thead', {}, header),
    h('tbody', {}, row('stem', '천간(天干)'), row('branch', '지지(地支)')),
  );

  const notes: HTMLElement[] = [];
  if (!saju.pillars.hour) {
    notes.push(h('p', { class: 'note' }, '태어난 시간을 입력하지 않아 시주(時柱)는 비워 두었어요. 나머지 기둥은 낮 12시 기준으로 계산했어요.'));
  }
  for (const key of saju.ambiguous) {
    notes.push(
      h(
        'p',
        { class: 'note warn' },
        `* ${PILLAR_KOREAN[key] ?? key}: 태어난 날에 절기(節氣)가 바뀌어서, 태어난 시각이 절기 전인지 후인지에 따라 ${PILLAR_KOREAN[key] ?? key}가 달라질 수 있어요. ` +
          '지금은 낮 12시에 태어났다고 보고 계산했으며, 궁합에서도 이 기둥의 영향은 절반만 반영해요.',
      ),
    );
  }

  const total = Object.values(saju.elements).reduce((a, b) => a + b, 0) || 1;
  const max = Math.max(...Object.values(saju.elements), 1);
  const entries = Object.entries(saju.elements) as [ElementName, number][];
  const strongest = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  const missing = entries.filter(([, v]) => v === 0).map(([k]) => ELEMENT_LABELS[k]);
  const chart = h(
    'figure',
    { class: 'elements', 'aria-labelledby': 'elements-title' },
    h('figcaption', { id: 'elements-title' }, '오행(五行) 분포'),
    h(
      'ul',
      { class: 'element-bars', role: 'list' },
      entries.map(([key, value]) => {
        const fill = h('span', { class: `fill el-${key}` });
        fill.style.width = `${(value / max) * 100}%`;
        return h(
          'li',
          {},
          h('span', { class: 'label' }, ELEMENT_LABELS[key]),
          h('span', { class: 'track', 'aria-hidden': 'true' }, fill),
          h('span', { class: 'value' }, `${formatCount(value)}개 (${Math.round((value / total) * 100)}%)`),
          h('span', { class: 'meaning' }, ELEMENT_MEANINGS[key]),
        );
      }),
    ),
    h(
      'p',
      { class: 'summary' },
      `가장 강한 기운은 ${ELEMENT_LABELS[strongest[0]]}이에요.`,
      missing.length > 0 ? ` ${missing.join(', ')} 기운은 없어서, 이 기운을 가진 상대와 잘 맞을 수 있어요.` : ' 다섯 기운이 모두 있어요.',
    ),
  );

  const facts = h(
    'dl',
    { class: 'facts stacked' },
    h('dt', {}, '일간(日干) · 나를 나타내는 글자'),
    h('dd', {}, `${saju.day_master.hanja} ${saju.day_master.hangul} — ${ELEMENT_LABELS[saju.day_master.element]}, ${YIN_YANG[saju.day_master.yin_yang]}`),
    h('dt', {}, '띠'),
    h('dd', {}, `${saju.zodiac.animal}띠 (${saju.zodiac.hanja} ${saju.zodiac.hangul})`),
  );

  return [h('section', { class: 'card' }, table, ...notes), h('section', { class: 'card' }, facts), h('section', { class: 'card' }, chart)];
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
