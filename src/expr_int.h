/* Private to the --where modules (expr_lex.c, expr_parse.c, expr_eval.c):
 * tokens with their byte offsets, and the compiled program, a flat node array
 * that the evaluator walks by index without allocating. */
#ifndef TALLY_EXPR_INT_H
#define TALLY_EXPR_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcre_int.h"

#include "tally/diag.h"
#include "tally/expr.h"
#include "tally/slice.h"

enum expr_tok {
    TOK_EOF = 0,
    TOK_IDENT,  /* bare column name */
    TOK_QNAME,  /* `backticked name`; value without the backticks */
    TOK_COLREF, /* $N; value is the text "$N" */
    TOK_NUMBER, /* reads as a number (tally_parse_number) */
    TOK_STRING, /* "..." or '...'; value with escapes resolved */
    TOK_EQ,     /* == or = */
    TOK_NE,     /* != */
    TOK_LT,     /* < */
    TOK_LE,     /* <= */
    TOK_GT,     /* > */
    TOK_GE,     /* >= */
    TOK_MATCH,  /* ~ */
    TOK_NMATCH, /* !~ */
    TOK_IN,     /* in */
    TOK_AND,    /* and && */
    TOK_OR,     /* or || */
    TOK_NOT,    /* not ! */
    TOK_LPAREN, /* ( */
    TOK_RPAREN, /* ) */
    TOK_COMMA,  /* , */
};

/* off/len locate the token in the expression text (bytes); voff/vlen locate
 * its value (NUL-terminated) in the lexer's string buffer. */
struct expr_token {
    enum expr_tok kind;
    size_t off, len;
    size_t voff, vlen;
};

/* Owned by the caller: free with expr_lexed_fini. */
struct expr_lexed {
    struct expr_token *toks; /* ends with one TOK_EOF at offset strlen(text) */
    size_t ntoks;
    char *strbuf; /* token values, each NUL-terminated */
    size_t strcap;
};

/* Splits text into tokens. A lexical error (unterminated string, bad $N,
 * stray character, bad number) is a usage error with a caret. */
int expr_lex(const char *text, struct expr_lexed *out, struct tally_diag *d);
void expr_lexed_fini(struct expr_lexed *lx);
/* Maps byte `pos` of a string token's decoded value back to the expression
 * text, for carets under regex errors (pos may equal the value's length). */
size_t expr_string_srcpos(const char *text, const struct expr_token *tok, size_t pos);

enum expr_opnd_kind { OPND_LIT, OPND_COL };

struct expr_operand {
    enum expr_opnd_kind kind;
    size_t src_off, src_len; /* the token, for carets */
    size_t voff, vlen;       /* literal value, or column name, in strbuf */
    struct tally_num num;    /* literal: parsed once at compile time */
    bool is_colref;          /* column written as $N */
    uint32_t slot;           /* column: index into slots */
};

enum expr_node_kind { NODE_CMP, NODE_MATCH, NODE_IN, NODE_AND, NODE_OR, NODE_NOT };

/* CMP: operands a, b, op (a TOK_ comparison). MATCH: operand a, regex b,
 * negate for !~. IN: operand a, literal operands [b, b+n), negate for
 * "not in". AND/OR: child nodes kids[b .. b+n). NOT: child node a. */
struct expr_node {
    enum expr_node_kind kind;
    enum expr_tok op;
    bool negate;
    bool has_empty; /* IN: the list holds "" */
    uint32_t a, b, n;
};

/* One per distinct column name. cache names the slot whose number cache it
 * shares once bound (two names may resolve to the same column). */
struct expr_slot {
    size_t voff, vlen;
    uint32_t opnd; /* first operand naming it, for carets */
    uint32_t col;  /* 0-based, once bound */
    uint32_t cache;
    uint64_t stamp; /* row counter when num was computed */
    struct tally_num num;
};

struct expr_regex {
    size_t voff, vlen;    /* the pattern, in strbuf */
    pcre2_code *code;     /* shared by the expression and its copies */
    pcre2_match_data *md; /* this copy's own */
};

struct tally_expr {
    char *text;
    char *strbuf;
    size_t strcap;
    struct expr_node *nodes;
    uint32_t nnodes, root;
    uint32_t *kids;
    uint32_t nkids;
    struct expr_operand *opnds;
    uint32_t nopnds;
    struct expr_slot *slots;
    uint32_t nslots;
    struct expr_regex *res;
    uint32_t nres;
    atomic_uint *code_refs; /* holders of the res[].code: this and its copies */
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    uint64_t rowstamp;
    struct tally_numcache *nums; /* shared with the aggregates, or NULL */
    bool bound;
};

/* Match limits: enough for any sane pattern on long values, small enough
 * that catastrophic backtracking stops in well under a second. */

/* Compiles the pattern of r (JIT where available). On a syntax error returns
 * false with the PCRE2 message and offset. */
bool expr_regex_compile(struct expr_regex *r, const char *strbuf, char *errbuf, size_t errsize,
                        size_t *erroff);
/* Creates e's match data, match context and JIT stack (per copy: never
 * shared). */
void expr_runtime_init(struct tally_expr *e);

#endif
