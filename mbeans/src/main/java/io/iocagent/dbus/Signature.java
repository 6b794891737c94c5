package io.iocagent.dbus;

import io.iocagent.dbus.Message.ProtocolException;

/** Where a complete type ends inside a D-Bus signature (only the types {@link ValueReader} reads are accepted). */
final class Signature {
    private Signature() {
    }

    static int end(String sig, int at) throws ProtocolException {
        if (at >= sig.length()) {
            throw new ProtocolException("truncated signature " + sig);
        }
        char c = sig.charAt(at);
        switch (c) {
            case 'a':
                return end(sig, at + 1);
            case '(':
            case '{': {
                char close = c == '(' ? ')' : '}';
                int i = at + 1;
                while (i < sig.length() && sig.charAt(i) != close) {
                    i = end(sig, i);
                }
                if (i >= sig.length()) {
                    throw new ProtocolException("unbalanced signature " + sig);
                }
                return i + 1;
            }
            default:
                if ("ybnqiuxtdsoghv".indexOf(c) < 0) {
                    throw new ProtocolException("unsupported type '" + c + "' in signature " + sig);
                }
                return at + 1;
        }
    }
}
