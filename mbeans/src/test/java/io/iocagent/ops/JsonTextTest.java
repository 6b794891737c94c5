package io.iocagent.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The command line's JSON writer: commas between every kind of value, RFC 8259 escapes, nulls. */
class JsonTextTest {

    @Test
    void commasSeparateEveryKindOfValueInArraysAndObjects() {
        JsonText j = new JsonText().open('[').value("a").value(1L).value(true).value((String) null).value((Number) null)
                .open('{').key("k").value(2.5).key("l").open('[').close(']').close('}').open('[').close(']').close(']');
        assertEquals("[\"a\",1,true,null,null,{\"k\":2.5,\"l\":[]},[]]", j.toString());
    }

    @Test
    void stringsAreEscapedAsRfc8259Says() {
        assertEquals("\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001\\u001fé\"",
                new JsonText().value("q\"b\\n\nr\rt\tc\u0001\u001fé").toString());
    }
}
