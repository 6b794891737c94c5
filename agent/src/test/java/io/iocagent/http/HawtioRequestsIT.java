package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.ops.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jolokia.json.JSONArray;
import org.jolokia.json.JSONObject;
import org.jolokia.json.parser.JSONParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests Hawtio (4.x, in a browser at its own origin, talking to the agent's Jolokia
 * directly) sends, with the settings docs/operations.md gives: the CORS preflight from its origin,
 * the search for a JMX security MBean ({@code *:type=security,area=jmx,*}) and its bulk
 * {@code canInvoke} questions — answered per caller, so a viewer's operation buttons are disabled
 * and an operator's enabled — then the real call, which the answer must agree with.
 */
class HawtioRequestsIT {

    /** Where Hawtio serves its console by default. */
    private static final String HAWTIO = "http://localhost:8080";
    private static final String IOC = "epics.ioc:name=test,type=Ioc";

    @TempDir
    static Path dir;

    private static JolokiaEndpoint endpoint;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        TestIoc.register();
        endpoint = JolokiaEndpoint.start(new JolokiaSettings("127.0.0.1", 0, null, ShippedPolicy.path(), List.of(HAWTIO), 4),
                TestCredentials.load(dir));
    }

    @AfterAll
    static void stop() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        TestIoc.unregister();
    }

    @Test
    void thePreflightFromHawtiosOriginIsGrantedAndAnotherOriginsIsNot() throws Exception {
        HttpResponse<String> granted = send(HttpRequest.newBuilder(endpoint.url()).header("Origin", HAWTIO)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, granted.statusCode(), granted.headers() + " " + granted.body());
        assertEquals(HAWTIO, granted.headers().firstValue("Access-Control-Allow-Origin").orElse(null), granted.headers().toString());
        String allowedHeaders = granted.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase();
        assertTrue(allowedHeaders.contains("authorization"), "Authorization may be sent: " + granted.headers());
        HttpResponse<String> refused = send(HttpRequest.newBuilder(endpoint.url()).header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertNull(refused.headers().firstValue("Access-Control-Allow-Origin").orElse(null), refused.headers().toString());
        assertEquals(403, refused.statusCode(), refused.body());
        // Header names only: a value that smuggles anything else is not echoed.
        HttpResponse<String> odd = send(HttpRequest.newBuilder(endpoint.url()).header("Origin", HAWTIO)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization; x=<script>")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, odd.statusCode());
        assertNull(odd.headers().firstValue("Access-Control-Allow-Headers").orElse(null), odd.headers().toString());
    }

    @Test
    void hawtioFindsTheSecurityMBeanAndAViewerMayInvokeNoIocOperation() throws Exception {
        String acl = securityMBean(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD);
        try (LogCapture audit = LogCapture.audit()) {
            JSONArray answers = canInvoke(acl, TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD);
            assertEquals(Boolean.FALSE, value(answers, 0), "canInvoke(" + IOC + ") for a viewer: " + answers);
            Map<?, ?> ops = (Map<?, ?>) ((Map<?, ?>) value(answers, 2)).get(IOC);
            assertEquals(false, canInvoke(ops, "bump()"), answers.toString());
            assertEquals(false, canInvoke(ops, "explode()"), answers.toString());
            Map<?, ?> threading = (Map<?, ?>) ((Map<?, ?>) value(answers, 2)).get("java.lang:type=Threading");
            assertEquals(true, canInvoke(threading, "getThreadInfo(long)"), "a read: " + answers);
            assertEquals(false, canInvoke(threading, "resetPeakThreadCount()"), answers.toString());
            assertEquals(List.of(), audit.lines(), "questions are reads: no audit lines");
        }
        // The answer agrees with the call: the viewer's bump is refused.
        JSONObject bump = post("{\"type\":\"exec\",\"mbean\":\"" + IOC + "\",\"operation\":\"bump()\"}",
                TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD);
        assertEquals(403L, ((Number) bump.get("status")).longValue(), bump.toJSONString());
    }

    @Test
    void anOperatorMayInvokeTheIocOperationsButNotGcOrAHeapDump() throws Exception {
        String acl = securityMBean(TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD);
        JSONArray answers = canInvoke(acl, TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD);
        assertEquals(Boolean.TRUE, value(answers, 0), "canInvoke(" + IOC + ") for an operator: " + answers);
        Map<?, ?> bulk = (Map<?, ?>) value(answers, 2);
        Map<?, ?> ops = (Map<?, ?>) bulk.get(IOC);
        assertEquals(true, canInvoke(ops, "bump()"), answers.toString());
        Map<?, ?> memory = (Map<?, ?>) bulk.get("java.lang:type=Memory");
        assertEquals(false, canInvoke(memory, "gc()"), answers.toString());
        Map<?, ?> hotspot = (Map<?, ?>) bulk.get("com.sun.management:type=HotSpotDiagnostic");
        assertEquals(false, canInvoke(hotspot, "dumpHeap(java.lang.String,boolean)"), answers.toString());
        JSONObject bump = post("{\"type\":\"exec\",\"mbean\":\"" + IOC + "\",\"operation\":\"bump()\"}",
                TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD);
        assertEquals(200L, ((Number) bump.get("status")).longValue(), bump.toJSONString());
    }

    @Test
    void malformedQuestionsAreErrorsNotAnswers() throws Exception {
        String acl = securityMBean(TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD);
        JSONObject bad = post("{\"type\":\"exec\",\"mbean\":\"" + acl + "\",\"operation\":\"canInvoke(java.lang.String)\","
                + "\"arguments\":[\"not an object name\"]}", TestCredentials.VIEWER, TestCredentials.VIEWER_PASSWORD);
        assertTrue(((Number) bad.get("status")).longValue() >= 400, bad.toJSONString());
        JSONObject pattern = post("{\"type\":\"exec\",\"mbean\":\"" + acl + "\",\"operation\":\"canInvoke(java.lang.String,java.lang.String)\","
                + "\"arguments\":[\"epics.ioc:*\",\"bump\"]}", TestCredentials.OPERATOR, TestCredentials.OPERATOR_PASSWORD);
        assertEquals(false, pattern.get("value"), "a pattern names no MBean: " + pattern.toJSONString());
    }

    /** Hawtio's first request: the search for an ACL MBean, from its origin; exactly one answers. */
    private static String securityMBean(String user, String password) throws Exception {
        JSONObject search = post("{\"type\":\"search\",\"mbean\":\"*:type=security,area=jmx,*\"}", user, password);
        assertEquals(200L, ((Number) search.get("status")).longValue(), search.toJSONString());
        List<?> found = (List<?>) search.get("value");
        assertEquals(1, found.size(), "security MBeans: " + found);
        return (String) found.get(0);
    }

    /** Hawtio's bulk: canInvoke(String) for an MBean, canInvoke(String,String), and canInvoke(Map) for operations. */
    private static JSONArray canInvoke(String acl, String user, String password) throws Exception {
        String body = "[{\"type\":\"exec\",\"mbean\":\"" + acl + "\",\"operation\":\"canInvoke(java.lang.String)\",\"arguments\":[\"" + IOC + "\"]},"
                + "{\"type\":\"exec\",\"mbean\":\"" + acl + "\",\"operation\":\"canInvoke(java.lang.String,java.lang.String)\",\"arguments\":[\"" + IOC + "\",\"bump\"]},"
                + "{\"type\":\"exec\",\"mbean\":\"" + acl + "\",\"operation\":\"canInvoke(java.util.Map)\",\"arguments\":[{"
                + "\"" + IOC + "\":[\"bump()\",\"explode()\"],"
                + "\"java.lang:type=Threading\":[\"getThreadInfo(long)\",\"resetPeakThreadCount()\"],"
                + "\"java.lang:type=Memory\":[\"gc()\"],"
                + "\"com.sun.management:type=HotSpotDiagnostic\":[\"dumpHeap(java.lang.String,boolean)\"]}]}]";
        HttpResponse<String> r = send(postRequest(body, user, password));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HAWTIO, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null), r.headers().toString());
        JSONArray answers = (JSONArray) new JSONParser().parse(r.body());
        for (Object a : answers) {
            assertEquals(200L, ((Number) ((Map<?, ?>) a).get("status")).longValue(), answers.toString());
        }
        assertEquals(value(answers, 0), value(answers, 1), "canInvoke(MBean) and canInvoke(MBean, bump) agree here: " + answers);
        return answers;
    }

    private static Object value(JSONArray answers, int i) {
        return ((Map<?, ?>) answers.get(i)).get("value");
    }

    private static Object canInvoke(Map<?, ?> ops, String method) {
        assertTrue(ops != null && ops.get(method) instanceof Map, method + " in " + ops);
        return ((Map<?, ?>) ops.get(method)).get("CanInvoke");
    }

    private static JSONObject post(String body, String user, String password) throws Exception {
        return (JSONObject) new JSONParser().parse(send(postRequest(body, user, password)).body());
    }

    private static HttpRequest.Builder postRequest(String body, String user, String password) {
        return HttpRequest.newBuilder(URI.create(endpoint.url().toString())).header("Origin", HAWTIO)
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
