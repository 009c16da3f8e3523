package io.ctta.runtime.adapt.optim;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh base manager per test, {@code root}, closed after it with every array the test made. */
abstract class RootManagerTest {

    NDManager root;

    @BeforeEach
    void openRoot() {
        root = NDManager.newBaseManager();
    }

    @AfterEach
    void closeRoot() {
        root.close();
    }
}
