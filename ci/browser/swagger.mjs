// Headless Chromium drives Byline's Swagger UI as a person would: Authorize with an email and
// password (the `login` scheme, an OAuth2 password flow), create an article with "Try it out" on
// POST /api/v1/articles and expect a live 201; then the same with a pasted bearer token.
//
//   node swagger.mjs BASE_URL EMAIL PASSWORD TOKEN SCREENSHOT_PNG
//
// Only 127.0.0.1 is reachable from the browser: every other request is refused and fails the test.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [baseUrl, email, password, token, screenshot] = process.argv.slice(2);
if (!baseUrl || !email || !password || !token || !screenshot) {
    console.error("usage: node swagger.mjs BASE_URL EMAIL PASSWORD TOKEN SCREENSHOT_PNG");
    process.exit(2);
}
const articleBody = (title) => JSON.stringify({ title, dek: "Written through Try it out.", tags: ["swagger-ui"] }, null, 2);

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

// Opens the Authorize dialog and returns it with the box of the scheme named `scheme`.
async function openScheme(page, scheme) {
    await page.locator(".scheme-container button.authorize").click();
    const dialog = page.locator(".dialog-ux .modal-ux");
    await dialog.waitFor();
    const box = dialog.locator(".auth-container").filter({ has: page.locator("h4", { hasText: `${scheme} (` }) });
    await box.waitFor();
    return { dialog, box };
}

// Once authorized, a scheme's box offers "Logout" instead of "Authorize"; then close the dialog.
async function authorizedThenClose(dialog, box) {
    await box.locator(".auth-btn-wrapper button", { hasText: "Logout" }).waitFor();
    await box.locator(".auth-btn-wrapper button.btn-done", { hasText: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
}

async function logout(page, scheme) {
    const { dialog, box } = await openScheme(page, scheme);
    await box.locator(".auth-btn-wrapper button", { hasText: "Logout" }).click();
    await box.locator(".auth-btn-wrapper button", { hasText: "Authorize" }).waitFor();
    await box.locator(".auth-btn-wrapper button.btn-done", { hasText: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
}

// "Try it out" on POST /api/v1/articles with a new title; returns what the page shows.
async function createArticle(page, operation, title) {
    const summary = operation.locator(".opblock-summary");
    if (!(await operation.locator(".opblock-body").isVisible())) {
        assert.equal((await summary.locator(".opblock-summary-method").innerText()).trim(), "POST");
        assert.equal((await summary.locator(".opblock-summary-path").innerText()).replace(/\u200b/g, "").trim(), "/api/v1/articles");
        await summary.locator("button.opblock-summary-control").click();
        await operation.locator(".opblock-body").waitFor();
        await operation.getByRole("button", { name: "Try it out" }).click();
    }
    await operation.locator("textarea.body-param__text").fill(articleBody(title));
    const live = operation.locator(".responses-wrapper .live-responses-table");
    await operation.getByRole("button", { name: "Execute" }).click();
    // Each Execute replaces the live response; wait for the one showing this title.
    const responseText = live.locator(".response-col_description pre.microlight").first();
    await responseText.filter({ hasText: title }).or(live.locator("tbody .response .response-col_status", { hasNotText: "201" })).first().waitFor();
    return {
        live,
        status: (await live.locator("tbody .response .response-col_status").first().innerText()).trim(),
        curl: await operation.locator(".curl-command").innerText(),
        body: await responseText.innerText(),
    };
}

// The article is really there: read it back with the token of the run.
async function readBack(id, title) {
    const check = await fetch(`${baseUrl}/api/v1/articles/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(check.status, 200, `GET of the created article answered ${check.status}`);
    assert.equal((await check.json()).title, title);
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

    step(`Authorize with email and password (${email}) in the login scheme`);
    {
        const { dialog, box } = await openScheme(page, "login");
        await box.locator("input#oauth_username").fill(email);
        await box.locator("input#oauth_password").fill(password);
        await box.locator(".auth-btn-wrapper button.authorize", { hasText: "Authorize" }).click();
        const refused = box.locator(".errors");
        await box.locator(".auth-btn-wrapper button", { hasText: "Logout" }).or(refused).first().waitFor();
        if (await refused.count()) {
            assert.fail(`Authorize with email and password was refused: ${await refused.innerText()}`);
        }
        await authorizedThenClose(dialog, box);
    }

    step("Try it out on POST /api/v1/articles, Execute");
    const title = "Created from Swagger UI after logging in";
    const viaLogin = await createArticle(page, operation, title);
    await shoot(page, screenshot, operation, viaLogin.live);
    assert.equal(viaLogin.status, "201", `the live response shows status ${viaLogin.status}, expected 201; body: ${viaLogin.body}`);
    assert.match(viaLogin.curl, /Authorization: Bearer /, "the request Swagger UI sent had no bearer token");
    const created = JSON.parse(viaLogin.body);
    assert.equal(created.title, title);
    assert.equal(created.status, "draft");
    await readBack(created.id, title);
    step(`201 Created, article ${created.id} (${created.slug})`);

    step("Logout, then Authorize with a pasted bearer token");
    await logout(page, "login");
    {
        const { dialog, box } = await openScheme(page, "bearer");
        await box.locator("input#auth-bearer-value").fill(token);
        await box.locator(".auth-btn-wrapper button.authorize", { hasText: "Authorize" }).click();
        await authorizedThenClose(dialog, box);
    }
    const tokenTitle = "Created from Swagger UI with a pasted token";
    const viaToken = await createArticle(page, operation, tokenTitle);
    assert.equal(viaToken.status, "201", `the live response shows status ${viaToken.status}, expected 201; body: ${viaToken.body}`);
    assert.match(viaToken.curl, new RegExp(`Authorization: Bearer ${token}`), "the request did not carry the pasted token");
    const second = JSON.parse(viaToken.body);
    await readBack(second.id, tokenTitle);
    step(`201 Created, article ${second.id} (${second.slug})`);

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
