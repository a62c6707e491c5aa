/**
 * A synthetic MIRACL-layout corpus of a given size, for the ingest benchmarks (Node: bench/datasets.ts; the
 * page with real IndexedDB: src/harness/ingest.ts). German-looking words so the text is tokenized and
 * compressed like prose; `{docid, title, text}` JSON lines, ids `article#passage` as MIRACL writes them.
 */
const WORDS = ['Berlin', 'Hauptstadt', 'größte', 'Stadt', 'Deutschlands', 'Einwohner', 'Fluss', 'Spree', 'Jahrhundert', 'Geschichte', 'Museum', 'Insel'];

export function* corpusLines(targetBytes: number): Generator<string> {
  let n = 0;
  let i = 0;
  while (n < targetBytes) {
    const text = Array.from({ length: 40 + (i % 60) }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' ');
    const line = `${JSON.stringify({ docid: `${i >> 3}#${i & 7}`, title: `Artikel ${i >> 3}`, text })}\n`;
    // ö and ß (in "größte") are the only characters beyond ASCII, two UTF-8 bytes each: count without encoding.
    n += line.length + (line.match(/ö|ß/g)?.length ?? 0);
    i++;
    yield line;
  }
}

