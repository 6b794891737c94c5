package io.iocagent.ops;

/**
 * A minimal streaming JSON writer (RFC 8259 string escaping, numbers, booleans, null) for the
 * command line's machine-readable output. Commas are inserted by the writer, so callers only say
 * what comes next.
 */
final class JsonText {

    private final StringBuilder out = new StringBuilder();
    private boolean needComma;

    JsonText open(char bracket) {
        comma();
        out.append(bracket);
        needComma = false;
        return this;
    }

    JsonText close(char bracket) {
        out.append(bracket);
        needComma = true;
        return this;
    }

    JsonText key(String key) {
        comma();
        string(key);
        out.append(':');
        needComma = false;
        return this;
    }

    JsonText value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        needComma = true;
        return this;
    }

    JsonText value(Number n) {
        comma();
        out.append(n == null ? "null" : n.toString());
        needComma = true;
        return this;
    }

    JsonText value(boolean b) {
        comma();
        out.append(b);
        needComma = true;
        return this;
    }

    private void comma() {
        if (needComma) {
            out.append(',');
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
