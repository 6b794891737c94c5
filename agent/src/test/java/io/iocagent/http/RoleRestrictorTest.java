package io.iocagent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.iocagent.jmx.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped policy under the role layer, with a hand-made request scope. */
class RoleRestrictorTest {

    private static final ObjectName IOC = name("epics.ioc:type=Ioc,name=x");
    private final RoleRestrictor restrictor = new RoleRestrictor(RoleRestrictor.readPolicy(ShippedPolicy.path()));
    private RequestScope scope;

    @AfterEach
    void closeScope() {
        if (scope != null) {
            scope.close();
        }
    }

    @Test
    void viewerIsRefusedOperationsAndTheRefusalIsRecorded() {
        open("POST", Role.VIEWER);
        SecurityException exec = assertThrows(SecurityException.class, () -> restrictor.isOperationAllowed(IOC, "restart"));
        assertEquals("Operation restart of epics.ioc:type=Ioc,name=x refused: operations need the operator role."
                + " -> Log in as a user with the operator role.", exec.getMessage());
        SecurityException write = assertThrows(SecurityException.class, () -> restrictor.isAttributeWriteAllowed(IOC, "Level"));
        assertTrue(write.getMessage().startsWith("Writing attribute Level of epics.ioc:type=Ioc,name=x refused"), write.getMessage());
        assertEquals(2, scope.attempts().size());
        assertEquals("operations need the operator role", scope.attempts().get(0).refusal);
    }

    @Test
    void theJvmsReadOnlyOperationsAreOpenToViewersByGetTooAndNotRecorded() {
        open("GET", Role.VIEWER);
        ObjectName threading = name("java.lang:type=Threading");
        assertTrue(restrictor.isOperationAllowed(threading, "getThreadInfo"));
        assertTrue(restrictor.isOperationAllowed(threading, "getThreadInfo([J,int)"));
        assertTrue(restrictor.isOperationAllowed(threading, "dumpAllThreads"));
        assertTrue(restrictor.isOperationAllowed(threading, "findDeadlockedThreads"));
        assertEquals(0, scope.attempts().size(), "reads are no audited attempts");
        assertFalse(restrictor.isOperationAllowed(threading, "resetPeakThreadCount"), "changes a peak");
        assertFalse(restrictor.isOperationAllowed(name("java.lang:type=Memory"), "gc"));
        assertThrows(SecurityException.class, () -> restrictor.isOperationAllowed(name("java.lang:type=Memory"), "getThreadInfo"),
                "not the Threading MBean");
        assertFalse(restrictor.isOperationAllowed(name("com.sun.management:type=HotSpotDiagnostic"), "dumpHeap"));
    }

    @Test
    void operatorMayRunAgentOperationsByPostOnly() {
        open("POST", Role.OPERATOR);
        assertTrue(restrictor.isOperationAllowed(IOC, "restart"));
        assertNull(scope.attempts().get(0).refusal);
        scope.close();
        open("GET", Role.OPERATOR);
        SecurityException e = assertThrows(SecurityException.class, () -> restrictor.isOperationAllowed(IOC, "restart"));
        assertTrue(e.getMessage().contains("operations must be sent by POST. -> Send it as a JSON POST (Jolokia Java client:"
                + " client.execute(request, HttpMethod.POST))"), e.getMessage());
        assertEquals("operations must be sent by POST", scope.attempts().get(0).refusal);
    }

    @Test
    void keptReadAnswersStayThePolicysThroughAFloodOfMadeUpNames() {
        open("GET", Role.VIEWER);
        ObjectName denied = name("com.sun.management:type=HotSpotDiagnostic");
        for (int i = 0; i < 3; i++) {
            assertFalse(restrictor.isAttributeReadAllowed(denied, "DiagnosticOptions"), "read " + i + " of a denied attribute");
            assertTrue(restrictor.isAttributeReadAllowed(IOC, "ActiveState"), "read " + i + " of an allowed attribute");
        }
        for (int i = 0; i <= RoleRestrictor.MAX_READ_DECISIONS; i++) {
            assertTrue(restrictor.isAttributeReadAllowed(name("epics.ioc:type=Ioc,name=made-up-" + i), "ActiveState"));
        }
        assertFalse(restrictor.isAttributeReadAllowed(denied, "DiagnosticOptions"),
                "after more made-up names than are kept, the denied attribute is still denied");
        assertTrue(restrictor.isAttributeReadAllowed(IOC, "Command"), "a viewer may read a private attribute");
        scope.close();
        scope = RequestScope.open("GET", "127.0.0.1", null, List.of(),
                new NotificationQuota(HttpLimits.DEFAULTS, java.time.Clock.systemUTC()), "anonymous@127.0.0.1");
        scope.caller(Caller.anonymous());
        assertFalse(restrictor.isAttributeReadAllowed(IOC, "Command"),
                "a kept answer for a viewer is never an anonymous caller's: private attributes are asked per caller");
    }

    @Test
    void policyStillBindsOperators() {
        open("POST", Role.OPERATOR);
        assertFalse(restrictor.isOperationAllowed(name("java.lang:type=Memory"), "gc"));
        assertFalse(restrictor.isOperationAllowed(name("com.sun.management:type=DiagnosticCommand"), "gcHeapDump"));
        assertFalse(restrictor.isOperationAllowed(name("jdk.management.jfr:type=FlightRecorder"), "startRecording"));
        assertFalse(restrictor.isAttributeReadAllowed(name("com.sun.management:type=HotSpotDiagnostic"), "DiagnosticOptions"));
        assertTrue(restrictor.isObjectNameHidden(name("javax.management.loading:type=MLet")));
    }

    @Test
    void repeatedChecksOfOneOperationCountOnce() {
        open("POST", Role.OPERATOR);
        restrictor.isOperationAllowed(IOC, "restart");
        restrictor.isOperationAllowed(IOC, "restart");
        assertEquals(1, scope.attempts().size());
    }

    @Test
    void identicalRefusedOrFinishedOperationsOfABulkAreEachTheirOwnAttempt() {
        open("POST", Role.VIEWER);
        for (int i = 0; i < 5; i++) {
            assertThrows(SecurityException.class, () -> restrictor.isOperationAllowed(IOC, "stop"));
        }
        assertEquals(5, scope.attempts().size(), "five refused stops in one bulk are five attempts");
        scope.close();
        open("POST", Role.OPERATOR);
        for (int i = 0; i < 3; i++) {
            restrictor.isOperationAllowed(IOC, "restart");
            scope.succeeded("exec", IOC, "restart", List.of(), "[]", "ok");
        }
        assertEquals(3, scope.attempts().size(), "three restarts that each ran are three attempts");
    }

    @Test
    void anonymousCallersMayNotReadAnIocsPrivateFactsButAuthenticatedViewersMay() throws Exception {
        ObjectName ioc = name("epics.ioc:type=Ioc,name=x");
        scope = RequestScope.open("GET", "127.0.0.1", null, List.of(),
                new NotificationQuota(HttpLimits.DEFAULTS, java.time.Clock.systemUTC()), "anonymous@127.0.0.1");
        scope.caller(Caller.anonymous());
        assertFalse(restrictor.isAttributeReadAllowed(ioc, "Command"));
        assertFalse(restrictor.isAttributeReadAllowed(ioc, "LastError"));
        assertTrue(restrictor.isAttributeReadAllowed(ioc, "ActiveState"));
        assertFalse(restrictor.isAttributeReadAllowed(name("java.lang:type=Runtime"), "SystemProperties"));
        scope.close();
        open("GET", Role.VIEWER);
        assertTrue(restrictor.isAttributeReadAllowed(ioc, "Command"));
        assertFalse(restrictor.isAttributeReadAllowed(name("java.lang:type=Runtime"), "InputArguments"));
    }

    @Test
    void outsideARequestNoOperationIsAllowed() {
        assertFalse(restrictor.isOperationAllowed(IOC, "restart"));
        assertFalse(restrictor.isOriginAllowed("http://127.0.0.1:8778", true));
    }

    @Test
    void viewersMayPullNotificationsWithoutAnAuditRecord() {
        open("POST", Role.VIEWER);
        assertTrue(restrictor.isOperationAllowed(name("jolokia:type=NotificationStore,agent=a"), "pull"));
        assertTrue(scope.attempts().isEmpty());
    }

    @Test
    void originsAreTheEndpointsOwnOrConfiguredOnes() {
        scope = RequestScope.open("POST", "127.0.0.1", "http://127.0.0.1:8778", List.of("https://console.example"),
                new NotificationQuota(HttpLimits.DEFAULTS, java.time.Clock.systemUTC()), "anonymous@127.0.0.1");
        assertTrue(restrictor.isOriginAllowed(null, true), "non-browser clients send none");
        assertTrue(restrictor.isOriginAllowed("http://127.0.0.1:8778", true));
        assertTrue(restrictor.isOriginAllowed("https://console.example/app/page?x=1", true), "a Referer counts by its origin");
        assertFalse(restrictor.isOriginAllowed("https://console.example:8443", true));
        assertFalse(restrictor.isOriginAllowed("null", true));
        assertFalse(restrictor.isOriginAllowed("http://evil.example", false));
    }

    @Test
    void policyWithCorsSectionIsRefused(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("p.xml");
        Files.writeString(policy, "<restrict><cors><allow-origin>*</allow-origin></cors></restrict>");
        EndpointException e = assertThrows(EndpointException.class, () -> RoleRestrictor.readPolicy(policy));
        assertTrue(e.getMessage().contains("has a <cors> section"), e.getMessage());
    }

    @Test
    void missingPolicyIsRefusedNotTreatedAsAllowAll(@TempDir Path dir) {
        EndpointException e = assertThrows(EndpointException.class, () -> RoleRestrictor.readPolicy(dir.resolve("none.xml")));
        assertTrue(e.getMessage().contains("cannot read the access policy"), e.getMessage());
    }

    private void open(String method, Role role) {
        scope = RequestScope.open(method, "127.0.0.1", null, List.of(),
                new NotificationQuota(HttpLimits.DEFAULTS, java.time.Clock.systemUTC()), "user someone");
        scope.caller(new Caller("someone", role));
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
