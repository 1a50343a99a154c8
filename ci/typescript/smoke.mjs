// Runs the compiled frontend module (ci/typescript/frontend.ts) against a running Byline, as an
// anonymous reader: the front page, one article by slug, and every article page by page.
//
//   node smoke.mjs COMPILED_FRONTEND_JS BASE_URL [MIN_ARTICLES]
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";

const [modulePath, baseUrl, minArticles = "1"] = process.argv.slice(2);
if (!modulePath || !baseUrl) {
    console.error("usage: node smoke.mjs COMPILED_FRONTEND_JS BASE_URL [MIN_ARTICLES]");
    process.exit(2);
}
const frontend = await import(pathToFileURL(modulePath).href);
const options = { baseUrl };

const front = await frontend.frontPage(options, 10);
assert.ok(front.length >= 1, "the front page lists no published article");
for (const item of front) {
    console.log(`${item.publishedAt ?? "(unpublished)"}  ${item.slug}  speakers: ${item.speakers.join("; ") || "-"}`);
}
assert.ok(
    front.some((item) => item.speakers.length > 0),
    "no article on the front page has a quote with a speaker",
);

// One article by slug, and its quotes' speakers straight from the document.
const article = await frontend.getArticle(options, front[0].slug);
assert.ok(article, `GET by slug ${front[0].slug} found nothing`);
assert.equal(article.slug, front[0].slug);
assert.deepEqual(frontend.quoteSpeakers(article), front[0].speakers);
assert.equal(await frontend.getArticle(options, "no-such-article-slug-for-the-smoke-test"), null);

// Every article, one per page, so that the cursor is followed.
const seen = [];
for await (const item of frontend.allArticles(options, 1)) seen.push(frontend.slugOf(item));
assert.ok(seen.length >= Number(minArticles), `paged through ${seen.length} articles, expected ${minArticles}`);
assert.equal(new Set(seen).size, seen.length, "a page repeated an article");
console.log(`paged through ${seen.length} articles one at a time`);

// A bad cursor is a problem document, surfaced as a BylineError.
await assert.rejects(
    frontend.listArticles(options, { limit: 1, cursor: "not-a-cursor" }),
    (err) => err instanceof frontend.BylineError && err.status === 400 && err.problem?.status === 400,
);
console.log("frontend module: OK");
