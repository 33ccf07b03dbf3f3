package dev.spikevae.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostArrayTest {

    @Test
    void shapeMustMatchTheData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostArray.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("6") && e.getMessage().contains("5"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostArray.of(new float[0], -1));
        assertThrows(IllegalArgumentException.class, () -> HostArray.of(new float[0], 1L << 20, 1L << 20));
    }

    @Test
    void scalarHasEmptyShapeAndOneValue() {
        HostArray s = HostArray.scalar(2.5f);
        assertEquals(0, s.rank());
        assertEquals(1, s.numel());
        assertEquals(2.5f, s.data()[0]);
        assertThrows(IllegalArgumentException.class, () -> new HostArray(new long[0], new float[0]));
    }

    @Test
    void emptyDimensionGivesNoElementsEvenBesideHugeOnes() {
        assertEquals(0, HostArray.numel(new long[] {0, Long.MAX_VALUE}));
        assertEquals(0, HostArray.of(new float[0], 3, 0).numel());
    }

    @Test
    void shapeIsCopiedAndEqualityIsByValue() {
        long[] shape = {2, 2};
        HostArray a = new HostArray(shape, new float[] {1, 2, 3, 4});
        shape[0] = 4;
        a.shape()[1] = 9;
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertArrayEquals(new int[] {2, 2}, a.intShape());
        assertEquals(a, HostArray.of(new float[] {1, 2, 3, 4}, 2, 2));
        assertEquals(a.hashCode(), HostArray.of(new float[] {1, 2, 3, 4}, 2, 2).hashCode());
        assertNotEquals(a, HostArray.of(new float[] {1, 2, 3, 4}, 4));
        assertNotEquals(a, HostArray.of(new float[] {1, 2, 3, 5}, 2, 2));
    }
}
