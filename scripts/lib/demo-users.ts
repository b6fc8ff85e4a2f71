import type { Gender, Region } from '../../src/db/schema.js';
import { chartKey, computeChart, resolveSolarDate, SAJU_ALGORITHM_VERSION } from '../../src/saju/index.js';

/** Realistic Korean demo profiles, generated deterministically from a seed (same seed, same people). */

const SURNAMES = '김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용'.split('');
const MALE = ['민준', '서준', '도윤', '예준', '시우', '하준', '주원', '지호', '지후', '준우', '현우', '준서', '도현', '건우', '우진', '선우', '서진', '민재', '현준', '연우', '유준', '정우', '승우', '승현', '시윤', '준혁', '은우', '지환', '승민', '지훈', '성민', '태윤', '동현', '재원', '민성', '상훈', '영호', '성호', '정훈', '진우'];
const FEMALE = ['서연', '서윤', '지우', '서현', '민서', '하은', '하윤', '윤서', '지유', '지민', '채원', '수아', '지아', '지윤', '다은', '은서', '예은', '수빈', '소율', '예린', '지원', '유진', '민지', '수연', '혜원', '지현', '은지', '미영', '정은', '현정', '보람', '소연', '나연', '다현', '유나', '가은', '세영', '아름', '슬기', '하늘'];
const NEUTRAL = ['하람', '한결', '다온', '이안', '가온', '로아', '시온', '해솔', '라온', '은솔', '누리', '새봄', '온유', '단비', '하랑'];
const CITIES = ['서울 강남구', '서울 마포구', '서울 송파구', '서울 성동구', '서울 용산구', '서울 관악구', '서울 노원구', '부산 해운대구', '부산 수영구', '인천 연수구', '대구 수성구', '대전 유성구', '광주 서구', '울산 남구', '수원 영통구', '성남 분당구', '고양 일산동구', '용인 수지구', '세종', '청주', '전주', '창원', '포항', '춘천', '강릉', '제주시', '서귀포'];
const JOBS = ['소프트웨어 개발자', '프로덕트 디자이너', '간호사', '초등학교 교사', '회계사', '마케터', '공무원', '약사', '연구원', '변호사', '내과 의사', '셰프', '사진작가', '대학원생', '은행원', '승무원', '영업 매니저', '건축가', '프리랜서 번역가', '바리스타', '데이터 분석가', '물리치료사', '기자', '필라테스 강사', '스타트업 대표', '소방관', '경찰관', '웹툰 작가', '음악 교사', '항공 정비사'];
const BIO_A = ['주말엔 한강에서 자전거를 타요.', '고양이 두 마리와 살고 있어요.', '맛집 탐방이 취미예요.', '요즘 러닝에 빠져 있어요.', '책 읽고 전시 보는 걸 좋아해요.', '캠핑과 등산을 즐겨요.', '집에서 요리하는 시간이 제일 행복해요.', '여행 사진 찍는 걸 좋아합니다.', '새벽 수영 3년 차예요.', '보드게임 모임을 하고 있어요.', '넷플릭스 정주행 전문입니다.', '커피 원두 고르는 재미에 살아요.'];
const BIO_B = ['편하게 대화 나눌 분 찾아요.', '사주 궁합 은근히 믿는 편이에요 😊', '같이 맛있는 거 먹으러 다녀요!', '진지한 만남을 원해요.', '웃음이 많은 사람이 좋아요.', '천천히 알아가요.', '산책 같이 할 사람 구해요.', '대화가 잘 통하는 분이면 좋겠어요.'];

/**
 * Where people live: the 17 시/도 weighted by population (통계청 2023, rounded, in ‰), each with
 * the demo cities it shows as `location`.
 */
const REGION_WEIGHTS: ReadonlyArray<readonly [Region, number, readonly string[]]> = [
  ['gyeonggi', 265, ['수원 영통구', '성남 분당구', '고양 일산동구', '용인 수지구']],
  ['seoul', 183, ['서울 강남구', '서울 마포구', '서울 송파구', '서울 성동구', '서울 용산구', '서울 관악구', '서울 노원구']],
  ['busan', 64, ['부산 해운대구', '부산 수영구']],
  ['gyeongnam', 63, ['창원']],
  ['incheon', 58, ['인천 연수구']],
  ['gyeongbuk', 50, ['포항']],
  ['daegu', 46, ['대구 수성구']],
  ['chungnam', 42, ['천안']],
  ['jeonnam', 35, ['여수']],
  ['jeonbuk', 34, ['전주']],
  ['chungbuk', 31, ['청주']],
  ['gangwon', 30, ['춘천', '강릉']],
  ['daejeon', 28, ['대전 유성구']],
  ['gwangju', 28, ['광주 서구']],
  ['ulsan', 21, ['울산 남구']],
  ['jeju', 13, ['제주시', '서귀포']],
  ['sejong', 9, ['세종']],
];
const REGION_TOTAL = REGION_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
/** Neighbours people who look beyond their own region often add (the capital area, the southeast…). */
const NEARBY: Partial<Record<Region, Region[]>> = {
  seoul: ['gyeonggi', 'incheon'],
  gyeonggi: ['seoul', 'incheon'],
  incheon: ['seoul', 'gyeonggi'],
  busan: ['ulsan', 'gyeongnam'],
  ulsan: ['busan', 'gyeongnam'],
  gyeongnam: ['busan', 'ulsan'],
  daegu: ['gyeongbuk'],
  gyeongbuk: ['daegu'],
  daejeon: ['sejong', 'chungnam', 'chungbuk'],
  sejong: ['daejeon', 'chungnam'],
  chungnam: ['daejeon', 'sejong'],
  chungbuk: ['daejeon', 'sejong'],
  gwangju: ['jeonnam'],
  jeonnam: ['gwangju'],
  jeonbuk: ['gwangju', 'jeonnam'],
  gangwon: ['gyeonggi', 'seoul'],
  jeju: [],
};

/** mulberry32: a tiny seeded PRNG, good enough for demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const pad = (n: number) => String(n).padStart(2, '0');

/** Birth years 1960–2006, most people in their twenties and thirties (a dating app's users). */
function birthYear(rand: () => number): number {
  const u = rand();
  if (u < 0.08) return 1960 + Math.floor(rand() * 20); // 1960–1979
  if (u < 0.3) return 1980 + Math.floor(rand() * 10); // 1980–1989
  if (u < 0.85) return 1990 + Math.floor(rand() * 10); // 1990–1999
  return 2000 + Math.floor(rand() * 7); // 2000–2006
}

export function defaultInterests(gender: Gender): Gender[] {
  if (gender === 'male') return ['female'];
  if (gender === 'female') return ['male'];
  return ['male', 'female', 'other'];
}

export interface DemoUser {
  name: string;
  gender: Gender;
  birthDate: string; // solar
  birthTime: string | null;
  calendar: 'solar' | 'lunar';
  lunarBirthDate: string | null;
  interestedIn: Gender[];
  // Discovery preferences (absent: the defaults a new account has).
  region?: Region | null;
  /** [] = anywhere. */
  preferredRegions?: Region[];
  ageMin?: number | null;
  ageMax?: number | null;
  discoverable?: boolean;
  showActivity?: boolean;
  location: string | null;
  job: string | null;
  bio: string | null;
  sajuKey: number;
}

export interface DemoOptions {
  /** Korean date ages are counted on (default: today). */
  today?: string;
  /** Share of people who know their birth time. */
  birthTimeShare?: number;
  /** Share of people who give a lunar birthday. */
  lunarShare?: number;
}

/**
 * Makes demo people. Chart keys come from the saju engine (computeChart + chartKey), memoised per
 * (solar date, time): a million people share a few hundred thousand charts at most.
 */
export class DemoPeople {
  private readonly keys = new Map<string, number>();
  private readonly rand: () => number;
  /** A second stream for the discovery preferences, so the people's other fields stay as they were. */
  private readonly prefs: () => number;
  private readonly thisYear: number;

  constructor(
    seed: number,
    private readonly options: DemoOptions = {},
  ) {
    this.rand = seededRandom(seed);
    this.prefs = seededRandom(seed ^ 0x5bd1e995);
    this.thisYear = Number((options.today ?? new Date(Date.now() + 9 * 3600_000).toISOString()).slice(0, 4));
  }

  get distinctCharts(): number {
    return this.keys.size;
  }

  next(): DemoUser {
    const rand = this.rand;
    const g = rand();
    const gender: Gender = g < 0.48 ? 'male' : g < 0.96 ? 'female' : 'other';
    const given = gender === 'male' ? MALE : gender === 'female' ? FEMALE : NEUTRAL;
    const year = birthYear(rand);
    const daysInYear = year % 4 === 0 ? 366 : 365; // 1960–2006: every fourth year is a leap year
    let birthDate = new Date(Date.UTC(year, 0, 1 + Math.floor(rand() * daysInYear))).toISOString().slice(0, 10);
    let calendar: 'solar' | 'lunar' = 'solar';
    let lunarBirthDate: string | null = null;
    if (rand() < (this.options.lunarShare ?? 0.03)) {
      const resolved = resolveSolarDate({ birthDate, calendar: 'lunar' });
      if (resolved.ok) {
        calendar = 'lunar';
        lunarBirthDate = birthDate;
        birthDate = resolved.solarDate;
      }
    }
    const birthTime = rand() < (this.options.birthTimeShare ?? 0.15) ? `${pad(Math.floor(rand() * 24))}:${rand() < 0.5 ? '00' : '30'}` : null;
    // The defaults registration gives (people change them later in their profile).
    const interestedIn = defaultInterests(gender);
    const location = rand() < 0.9 ? pick(rand, CITIES) : null;
    const discovery = this.discovery(year, location !== null);
    return {
      name: pick(rand, SURNAMES) + pick(rand, given),
      gender,
      birthDate,
      birthTime,
      calendar,
      lunarBirthDate,
      interestedIn,
      ...discovery,
      job: rand() < 0.85 ? pick(rand, JOBS) : null,
      bio: rand() < 0.8 ? `${pick(rand, BIO_A)} ${pick(rand, BIO_B)}` : null,
      sajuKey: this.keyOf(birthDate, birthTime),
    };
  }

  /**
   * Discovery preferences as people set them: a region for 95 % (by population); an age range
   * within about ±5 years of their own for most (70 %: 3–6 years younger to 3–6 older), ±10 for
   * 15 %, none for 15 %; a third want their own region only, one in six their region and its
   * neighbours, the rest anywhere; 3 % paused (not discoverable), 10 % hiding their activity.
   */
  private discovery(birthYear: number, hasLocation: boolean) {
    const r = this.prefs;
    let region: Region | null = null;
    let location: string | null = null;
    if (r() < 0.95) {
      let u = r() * REGION_TOTAL;
      const entry = REGION_WEIGHTS.find(([, w]) => (u -= w) < 0) ?? REGION_WEIGHTS[0]!;
      region = entry[0];
      location = hasLocation ? pick(r, entry[2]) : null;
    }
    const age = this.thisYear - birthYear;
    const clamp = (n: number) => Math.min(100, Math.max(19, n));
    let ageMin: number | null = null;
    let ageMax: number | null = null;
    const a = r();
    if (a < 0.7) {
      ageMin = clamp(age - 3 - Math.floor(r() * 4));
      ageMax = clamp(age + 3 + Math.floor(r() * 4));
    } else if (a < 0.85) {
      ageMin = clamp(age - 10);
      ageMax = clamp(age + 10);
    }
    let preferredRegions: Region[] = [];
    const p = r();
    if (region !== null && p < 1 / 3) preferredRegions = [region];
    else if (region !== null && p < 0.5) preferredRegions = [region, ...(NEARBY[region] ?? [])];
    return {
      region,
      preferredRegions,
      ageMin,
      ageMax,
      discoverable: r() >= 0.03,
      showActivity: r() >= 0.1,
      location,
    };
  }

  private keyOf(solarDate: string, time: string | null): number {
    const memo = time ? `${solarDate} ${time}` : solarDate;
    let key = this.keys.get(memo);
    if (key === undefined) {
      key = chartKey(computeChart({ birthDate: solarDate, birthTime: time }));
      this.keys.set(memo, key);
    }
    return key;
  }
}

export const DEMO_SAJU_VERSION = SAJU_ALGORITHM_VERSION;
