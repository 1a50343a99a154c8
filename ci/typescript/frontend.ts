// A small frontend module written only against the types that openapi-typescript generates from
// openapi/openapi.json (ci/typescript.sh). It compiles under `strict` only while the document
// describes what a site needs: a page of articles with a cursor, one article by slug, and the
// speakers of its quotes. It uses plain `fetch`, as the README shows.

import type { components, paths } from "./generated/byline-api.js";

type Schemas = components["schemas"];
export type Article = Schemas["Article"];
export type Quote = Schemas["Quote"];
export type Problem = Schemas["Problem"];

// The operations, as the document describes them. A renamed route, parameter or schema is a
// type error below.
type ListArticles = paths["/api/v1/articles"]["get"];
type GetArticle = paths["/api/v1/articles/{id}"]["get"];

export type ListArticlesQuery = NonNullable<ListArticles["parameters"]["query"]>;
export type ArticlePage = ListArticles["responses"][200]["content"]["application/json"];
export type ArticleRef = GetArticle["parameters"]["path"]["id"];
type FullArticle = GetArticle["responses"][200]["content"]["application/json"];

const LIST_PATH = "/api/v1/articles" satisfies keyof paths;
const ARTICLE_PATH = "/api/v1/articles/{id}" satisfies keyof paths;

export interface ClientOptions {
    /** Where Byline runs, such as `http://127.0.0.1:8080`. */
    baseUrl: string;
    /** An access token; readers of published articles need none. */
    token?: string;
    /** A `fetch` to use instead of the global one. */
    fetch?: typeof fetch;
}

/** An answer that was not a success, with the problem document the API sent. */
export class BylineError extends Error {
    constructor(
        readonly status: number,
        readonly problem: Problem | null,
    ) {
        super(problem ? `${problem.status} ${problem.title}: ${problem.detail}` : `HTTP ${status}`);
        this.name = "BylineError";
    }
}

function isProblem(value: unknown): value is Problem {
    if (typeof value !== "object" || value === null) return false;
    const v = value as Record<string, unknown>;
    return typeof v.type === "string" && typeof v.title === "string" && typeof v.status === "number";
}

async function getJson<T>(options: ClientOptions, path: string, query?: URLSearchParams): Promise<T> {
    const url = new URL(path, options.baseUrl);
    if (query) url.search = query.toString();
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    const res = await (options.fetch ?? fetch)(url, { headers });
    if (!res.ok) {
        const body: unknown = res.headers.get("Content-Type")?.startsWith("application/problem+json")
            ? await res.json()
            : null;
        throw new BylineError(res.status, isProblem(body) ? body : null);
    }
    return (await res.json()) as T;
}

/** One page of articles, newest first. Pass `meta.next_cursor` of a page to get the next one. */
export async function listArticles(
    options: ClientOptions,
    query: Pick<ListArticlesQuery, "limit" | "cursor"> = {},
): Promise<ArticlePage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.cursor !== undefined) params.set("cursor", query.cursor);
    return getJson<ArticlePage>(options, LIST_PATH, params);
}

/** Every article, page by page, following `meta.next_cursor`. */
export async function* allArticles(
    options: ClientOptions,
    limit: NonNullable<ListArticlesQuery["limit"]>,
): AsyncGenerator<ArticlePage["data"][number]> {
    let cursor: string | undefined;
    do {
        const page: ArticlePage = await listArticles(options, cursor === undefined ? { limit } : { limit, cursor });
        yield* page.data;
        cursor = page.meta.next_cursor ?? undefined;
    } while (cursor !== undefined);
}

/** One article by slug or id, parts included; `null` when there is none the caller may see. */
export async function getArticle(options: ClientOptions, idOrSlug: ArticleRef): Promise<FullArticle | null> {
    try {
        return await getJson<FullArticle>(options, ARTICLE_PATH.replace("{id}", encodeURIComponent(idOrSlug)));
    } catch (err) {
        if (err instanceof BylineError && err.status === 404) return null;
        throw err;
    }
}

/** The speakers of an article's quotes, each once, in the order the quotes come. */
export function quoteSpeakers(article: Article): string[] {
    const speakers: string[] = [];
    for (const quote of article.quotes) {
        const speaker: string = quote.speaker;
        if (!speakers.includes(speaker)) speakers.push(speaker);
    }
    return speakers;
}

/** The slug of a list item. The list schema does not type its items, so this checks at run time. */
export function slugOf(item: ArticlePage["data"][number]): string | null {
    if (typeof item !== "object" || item === null) return null;
    const slug: unknown = (item as { slug?: unknown }).slug;
    return typeof slug === "string" ? slug : null;
}

/** What a site's front page might do: the newest articles, each with its quotes' speakers. */
export async function frontPage(
    options: ClientOptions,
    limit = 10,
): Promise<{ slug: string; title: string; publishedAt: string | null; speakers: string[] }[]> {
    const page = await listArticles(options, { limit });
    const result = [];
    for (const item of page.data) {
        const slug = slugOf(item);
        if (slug === null) continue;
        const article = await getArticle(options, slug);
        if (article === null) continue;
        result.push({
            slug: article.slug,
            title: article.title,
            publishedAt: article.published_at ?? null,
            speakers: quoteSpeakers(article),
        });
    }
    return result;
}
