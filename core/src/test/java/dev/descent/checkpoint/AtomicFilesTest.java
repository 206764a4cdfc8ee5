package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path root;

    @Test
    void aTemporaryFileLeftByAKilledWriterIsRemovedByTheNextWriteOfTheSameFile() throws IOException {
        Path png = root.resolve("loss.png");
        Files.writeString(root.resolve(".loss.png.tmp-0123456789ab"), "half a png"); // kill -9 mid-write
        Files.writeString(root.resolve(".other.png.tmp-0123456789ab"), "another file's, left alone");
        Files.writeString(root.resolve(".loss.png.tmp-notmine"), "not of our form, left alone");
        AtomicFiles.write(png, out -> out.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8))));
        assertEquals("new", Files.readString(png));
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(
                    List.of(".loss.png.tmp-notmine", ".other.png.tmp-0123456789ab", "loss.png"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
