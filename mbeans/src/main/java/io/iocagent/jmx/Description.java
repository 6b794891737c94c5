package io.iocagent.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import javax.management.MBeanOperationInfo;

/**
 * The text JMX consoles show for an MXBean interface, an attribute getter or an operation.
 * {@link DescribedMBean} reads it into the {@code MBeanInfo}; a method without one is refused at
 * registration, so a description cannot be forgotten.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Description {

    String value();

    /**
     * For operations: {@link MBeanOperationInfo#INFO} (reads), {@link MBeanOperationInfo#ACTION}
     * (changes something) or {@link MBeanOperationInfo#ACTION_INFO}.
     */
    int impact() default MBeanOperationInfo.UNKNOWN;
}
