package io.iocagent.http;

/** The test double's management interface: one attribute, two operations. */
public interface TestIocMXBean {

    int getLevel();

    void setLevel(int level);

    /** Raises Level by one, emits an AttributeChangeNotification, returns the new level. */
    int bump();

    /** Always fails, to see failed operations audited. */
    void explode();
}
