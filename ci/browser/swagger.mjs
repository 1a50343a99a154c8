// Headless Chromium drives Byline's Swagger UI as a person would: Authorize with a bearer token,
// then create an article with "Try it out" on POST /api/v1/articles, and expect a live 201.
//
//   node swagger.mjs BASE_URL TOKEN SCREENSHOT_PNG
//
// Only 127.0.0.1 is reachable from the browser: every other request is refused and fails the test.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [baseUrl, token, screenshot] = process.argv.slice(2);
if (!baseUrl || !token || !screenshot) {
    console.error("usage: node swagger.mjs BASE_URL TOKEN SCREENSHOT_PNG");
    process.exit(2);
}
const TITLE = "Created from Swagger UI";
const BODY = JSON.stringify({ title: TITLE, dek: "Written through Try it out.", tags: ["swagger-ui"] }, null, 2);

const step = (text) => console.log(`swagger-ui: ${text}`);

// A screenshot of the operation from its header down to the live response (the documented
// responses below it are left out), or of the whole page when those are not there.
async function shoot(page, path, top, bottom) {
    const box = async (locator) =>
        locator.evaluate((el) => {
            const r = el.getBoundingClientRect();
            return { x: r.left + window.scrollX, y: r.top + window.scrollY, bottom: r.bottom + window.scrollY, width: r.width };
        });
    try {
        const a = await box(top);
        const b = await box(bottom);
        const clip = { x: Math.max(0, a.x - 8), y: Math.max(0, a.y - 8), width: a.width + 16, height: b.bottom - a.y + 24 };
        await page.screenshot({ path, fullPage: true, clip });
    } catch {
        await page.screenshot({ path, fullPage: true });
    }
}
const userDataDir = mkdtempSync(join(tmpdir(), "byline-chromium-"));
const problems = [];

const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Nothing but the loopback address resolves, whatever a page or the browser asks for.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
    viewport: { width: 1280, height: 1000 },
    timeout: 60_000,
});

let page;
try {
    const allowedOrigin = new URL(baseUrl).origin;
    await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`${allowedOrigin}/`) || url.startsWith("data:") || url.startsWith("blob:")) {
            return route.continue();
        }
        problems.push(`request to a foreign address refused: ${url}`);
        return route.abort("blockedbyclient");
    });

    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });

    step(`open ${baseUrl}/swagger-ui/`);
    await page.goto(`${baseUrl}/swagger-ui/`, { waitUntil: "load" });
    await page.locator(".swagger-ui .info .title").waitFor();
    const operation = page.locator("#operations-articles-create_article");
    await operation.waitFor();

    step("Authorize with the bearer token");
    await page.locator(".scheme-container button.authorize").click();
    const dialog = page.locator(".dialog-ux .modal-ux");
    await dialog.waitFor();
    await dialog.locator("input#auth-bearer-value").fill(token);
    await dialog.locator(".auth-btn-wrapper button.authorize", { hasText: "Authorize" }).click();
    // Once authorized, the dialog offers "Logout" instead, and the input is gone.
    await dialog.locator(".auth-btn-wrapper button", { hasText: "Logout" }).waitFor();
    await dialog.locator(".auth-btn-wrapper button.btn-done", { hasText: "Close" }).click();
    await dialog.waitFor({ state: "detached" });

    step("expand POST /api/v1/articles (create_article)");
    const summary = operation.locator(".opblock-summary");
    assert.equal((await summary.locator(".opblock-summary-method").innerText()).trim(), "POST");
    assert.equal((await summary.locator(".opblock-summary-path").innerText()).replace(/\u200b/g, "").trim(), "/api/v1/articles");
    await summary.locator("button.opblock-summary-control").click();
    await operation.locator(".opblock-body").waitFor();

    step("Try it out, with a JSON body");
    await operation.getByRole("button", { name: "Try it out" }).click();
    const body = operation.locator("textarea.body-param__text");
    await body.fill(BODY);

    step("Execute");
    await operation.getByRole("button", { name: "Execute" }).click();
    const live = operation.locator(".responses-wrapper .live-responses-table");
    await live.waitFor();
    const status = (await live.locator("tbody .response .response-col_status").first().innerText()).trim();
    const curl = await operation.locator(".curl-command").innerText();
    const responseBody = await live.locator(".response-col_description pre.microlight").first().innerText();
    await shoot(page, screenshot, operation, live);

    assert.equal(status, "201", `the live response shows status ${status}, expected 201; body: ${responseBody}`);
    assert.match(curl, /Authorization: Bearer /, "the request Swagger UI sent had no bearer token");
    const created = JSON.parse(responseBody);
    assert.equal(created.title, TITLE);
    assert.equal(created.status, "draft");
    step(`201 Created, article ${created.id} (${created.slug})`);

    // The article is really there: read it back with the same token.
    const check = await fetch(`${baseUrl}/api/v1/articles/${created.id}`, {
        headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(check.status, 200, `GET of the created article answered ${check.status}`);
    assert.equal((await check.json()).title, TITLE);

    assert.deepEqual(problems, [], "the page had errors or tried to leave 127.0.0.1");
    step(`OK; screenshot ${screenshot}`);
} catch (err) {
    if (page) {
        await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
        console.error(`swagger-ui: FAILED; screenshot of the page: ${screenshot}`);
    }
    for (const problem of problems) console.error(`swagger-ui: ${problem}`);
    throw err;
} finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
}
