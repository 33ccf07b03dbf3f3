package dev.spikevae.train;

import java.io.IOException;
import java.nio.file.Path;

/** Copies the converted reference fixture (see {@link ReferenceCheckpointTest}) into a folder for other tests. */
public final class ReferenceCheckpointFixture {
    private ReferenceCheckpointFixture() {
    }

    public static Path copyTo(Path dir) throws IOException {
        return ReferenceCheckpointTest.fixture(dir);
    }
}
