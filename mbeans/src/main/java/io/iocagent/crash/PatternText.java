package io.iocagent.crash;

/**
 * One grep pattern (one line of the text handed to {@code grep -E}) as code points, with its
 * position in the whole text so errors can point into what the caller wrote.
 */
record PatternText(String whole, int[] cps, int base) {

    int length() {
        return cps.length;
    }

    /** The code point at {@code i}, or -1 past the end. */
    int at(int i) {
        return i < cps.length ? cps[i] : -1;
    }

    EreSyntaxException error(String reason, int index) {
        return new EreSyntaxException(whole, reason, base + index);
    }
}
