package io.iocagent.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.iocagent.conf.IocName;

class UnitNameTest {

    @Test
    void rendersTheInstanceAndTemplateNames() {
        UnitName unit = UnitName.of(new IocName("motor1"));

        assertEquals("epics-@motor1.service", unit.toString());
        assertEquals("epics-@.service", unit.templateFileName());
        assertEquals("epics-@*.service", UnitName.instancePattern("epics-@"));
    }

    @Test
    void parsesInstancesOfTheGivenTemplate() {
        assertEquals(Optional.of(UnitName.of("epics-@", "motor1")), UnitName.parse("epics-@", "epics-@motor1.service"));
        assertEquals(Optional.of(UnitName.of("my.ioc:x-@", "_a-b")), UnitName.parse("my.ioc:x-@", "my.ioc:x-@_a-b.service"));
        String longest = "a".repeat(IocName.MAX_LENGTH);
        assertEquals(longest, UnitName.parse("epics-@", "epics-@" + longest + ".service").orElseThrow().name().value());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "epics-@.service",                // no instance: the template itself
        "epics-@motor1.socket",           // other unit type
        "epics-@motor1.service.d",
        "epics-@motor1",
        "other-@motor1.service",          // other template
        "xepics-@motor1.service",
        "epics@motor1.service",
        "epics-@-motor1.service",         // instance starting with '-'
        "epics-@mo.tor.service",          // characters outside the IOC name rule
        "epics-@mo@tor.service",
        "epics-@../x.service",
        "epics-@mo\\x2dtor.service",
        "epics-@mo tor.service",
        "epics-@motor1.service ",
        "",
    })
    void rejectsAnythingButAValidInstanceOfTheTemplate(String unit) {
        assertEquals(Optional.empty(), UnitName.parse("epics-@", unit));
    }

    @Test
    void rejectsNullAndOverlongInstances() {
        assertEquals(Optional.empty(), UnitName.parse("epics-@", null));
        assertEquals(Optional.empty(),
                UnitName.parse("epics-@", "epics-@" + "a".repeat(IocName.MAX_LENGTH + 1) + ".service"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"epics-", "epics@@", "@", "ep ics-@", "a/b-@", "epics-@x", "épics-@", "epics-@.service"})
    void rejectsInvalidTemplatePrefixes(String prefix) {
        assertFalse(UnitName.isValidPrefix(prefix));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UnitName.of(prefix, "motor1"));
        assertTrue(e.getMessage().startsWith("Invalid systemd template prefix '" + prefix + "'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UnitName.parse(prefix, "epics-@motor1.service"));
    }

    @Test
    void limitsThePrefixSoThatEveryUnitNameFitsSystemdsLimit() {
        String longest = "p".repeat(UnitName.MAX_PREFIX_LENGTH - 1) + "@";
        UnitName unit = UnitName.of(longest, "n".repeat(IocName.MAX_LENGTH));

        assertEquals(255, unit.toString().length());
        assertFalse(UnitName.isValidPrefix("p" + longest));
    }

    @Test
    void rejectsInvalidIocNamesWithTheSeedMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnitName.of("epics-@", "-x"));
        assertEquals(IocName.invalidMessage("-x", false), e.getMessage());
    }

    @Test
    void ordersByPrefixThenName() {
        assertTrue(UnitName.of("a-@", "z").compareTo(UnitName.of("b-@", "a")) < 0);
        assertTrue(UnitName.of("a-@", "a").compareTo(UnitName.of("a-@", "b")) < 0);
    }

    /** The gate: no public operation of the client accepts a unit as a raw string. */
    @Test
    void publicOperationsTakeUnitNamesNotStrings() {
        Set<String> stringAllowed = Set.of("connect", "listUnits");
        Set<Class<?>> allowed = Set.of(UnitName.class, Collection.class, Duration.class, Path.class, boolean.class);
        for (Method m : SystemdBus.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || stringAllowed.contains(m.getName())) {
                continue;
            }
            assertTrue(Arrays.stream(m.getParameterTypes()).allMatch(allowed::contains),
                    () -> m + " takes a type outside " + allowed);
        }
    }
}
