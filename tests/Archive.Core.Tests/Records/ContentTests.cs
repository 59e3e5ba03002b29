using Archive.Testing.Support;
using Xunit;
using System.Text;
using Archive.Testing.Storage;
using Archive.Records;
using Archive.Storage;

namespace Archive.Core.Tests.Records;

public sealed class ContentTests
{
    [Fact]
    public async Task Upload_over_the_size_limit_is_refused_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(o => o.MaxUploadBytes = 1_000_000);
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);

        var big = new GeneratedStream(1_000_001, seed: 7);
        var ex = await Assert.ThrowsAsync<ContentTooLargeException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.tif", Content = big }, null, ArchiveHarness.User, ct));
        Assert.Equal(1_000_000, ex.Limit);
        Assert.Equal(("content", "content.too-large"), (ex.Errors[0].Field, ex.Errors[0].Rule));
        Assert.True(big.BytesRead < 1_200_000, "The upload must stop soon after the limit.");
        Assert.Equal(2, (await h.Files.GetAsync(code, ct))!.Version);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());

        // Exactly at the limit is accepted (non-PDF: no text).
        var exact = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.tif", Content = new GeneratedStream(1_000_000, seed: 7) }, null, ArchiveHarness.User, ct);
        var stored = Assert.Single(exact.Stored.Value.Documents[0].Contents);
        Assert.Equal("application/octet-stream", stored.MediaType); // random bytes: the name says TIFF, the content does not
        Assert.Equal(TextExtractionStatus.NotApplicable, stored.TextStatus);
        Assert.Null(stored.TextPath);
        Assert.Equal(GeneratedStream.ComputeSha256(1_000_000, 7), stored.Sha256);
    }

    [Fact]
    public async Task An_upload_is_written_once_into_the_object_store_and_published_there_without_a_copy()
    {
        // The folder store stages content (IObjectStagingStore): the upload is written into the store's staging folder,
        // not into TempPath, and the commit gives that same file (same inode) its content key.
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
        var root = h.Objects.GetService<Archive.Storage.FileSystem.FileSystemObjectStore>()!.RootPath;
        var tmp = Path.Combine(h.DataPath, "tmp");
        string[] spooled = [], staged = [];
        var stagedInode = string.Empty;
        var source = new EndObservingStream(new GeneratedStream(2_500_000, seed: 5), () =>
        {
            spooled = Directory.Exists(tmp) ? Directory.GetFiles(tmp) : [];
            staged = Directory.GetFiles(Path.Combine(root, ".staging"), "*.content", SearchOption.AllDirectories);
            stagedInode = staged.Length == 1 ? Inode(staged[0]) : string.Empty;
        });

        var added = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.bin", Content = source }, null, ArchiveHarness.User, ct);

        Assert.Empty(spooled);
        Assert.Single(staged);
        var stored = Assert.Single(added.Stored.Value.Documents[0].Contents);
        Assert.Equal(GeneratedStream.ComputeSha256(2_500_000, 5), stored.Sha256);
        var objectFile = Assert.Single(Directory.GetFiles(Path.Combine(root, "objects"), "scan.bin", SearchOption.AllDirectories));
        Assert.Equal(stagedInode, Inode(objectFile));
        Assert.Empty(Directory.GetFiles(Path.Combine(root, ".staging"), "*.content", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(tmp));
    }

    private static string Inode(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    /// <summary>A forward-only stream that runs an action once, when its end is first read.</summary>
    private sealed class EndObservingStream(Stream inner, Action atEnd) : Stream
    {
        private bool _ended;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Observe(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Observe(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Observe(int read)
        {
            if (read == 0 && !_ended)
            {
                _ended = true;
                atEnd();
            }

            return read;
        }
    }

    [Fact]
    public async Task A_multi_block_upload_from_a_forward_only_stream_is_stored_byte_for_byte()
    {
        // The spool reads 1 MiB blocks and hashes each while it is written: an upload of several blocks plus a tail,
        // handed out 1,000 bytes at a time like a network body, must come back identical with the right digest.
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
        const long Length = (3L << 20) + 12_345;
        var sha = GeneratedStream.ComputeSha256(Length, 11);

        var added = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "ban-scan.bin", Content = new ForwardOnlyStream(new GeneratedStream(Length, seed: 11)), ExpectedSha256 = sha }, null, ArchiveHarness.User, ct);
        var stored = Assert.Single(added.Stored.Value.Documents[0].Contents);
        Assert.Equal((Length, sha), (stored.Length, stored.Sha256));

        await using var content = await h.Files.OpenContentAsync(code, 1, "ban-scan.bin", cancellationToken: ct);
        Assert.NotNull(content);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[100_000];
        long read = 0;
        int n;
        while ((n = await content.Content.Stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            read += n;
        }

        Assert.Equal((Length, sha), (read, Convert.ToHexStringLower(hash.GetHashAndReset())));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());
    }

    [Fact]
    public async Task Path_like_or_unsafe_file_names_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
        (string Name, string Rule)[] cases =
        [
            ("../etc/passwd", "file-name.path"),
            ("a/b.pdf", "file-name.path"),
            ("a\\b.pdf", "file-name.path"),
            ("..", "file-name.edges"),
            (".", "file-name.edges"),
            (" lead.pdf", "file-name.edges"),
            ("trail.pdf ", "file-name.edges"),
            ("bell\u0007.pdf", "file-name.control-character"),
            ("rtl\u202Efdp.exe", "file-name.control-character"),
            ("", "file-name.required"),
            (new string('a', 201), "file-name.too-long"),
        ];
        foreach (var (name, rule) in cases)
        {
            var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
                await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = name, Content = new MemoryStream([1, 2, 3]) }, null, ArchiveHarness.User, ct));
            Assert.Equal(("fileName", rule), (ex.Errors[0].Field, ex.Errors[0].Rule));
        }

        Assert.Equal(2, (await h.Files.GetAsync(code, ct))!.Version);
    }

    [Fact]
    public async Task Names_are_nfc_checksums_and_media_types_are_checked_and_replacing_keeps_history()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);

        var wrongSha = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "a.txt", Content = new MemoryStream("abc"u8.ToArray()), ExpectedSha256 = new string('0', 64) }, null, ArchiveHarness.User, ct));
        Assert.Equal(("sha256", "content.sha256-mismatch"), (wrongSha.Errors[0].Field, wrongSha.Errors[0].Rule));
        var badInput = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "a.txt", Content = new MemoryStream([1]), ExpectedSha256 = "xyz", MediaType = "not a type" }, null, ArchiveHarness.User, ct));
        Assert.Contains(badInput.Errors, e => e.Rule == "content.sha256-format");
        Assert.Contains(badInput.Errors, e => e.Rule == "content.media-type");
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () =>
            await h.Files.AddContentAsync(code, 2, new ContentUpload { FileName = "a.txt", Content = new MemoryStream([1]) }, null, ArchiveHarness.User, ct));

        // A decomposed Vietnamese name is stored in NFC and found by either form.
        var decomposed = "Tờ trình.txt".Normalize(NormalizationForm.FormD);
        var v3 = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = decomposed, Content = new MemoryStream("bản một"u8.ToArray()), MediaType = "text/plain; charset=utf-8" }, null, ArchiveHarness.User, ct);
        var c = Assert.Single(v3.Stored.Value.Documents[0].Contents);
        Assert.Equal("Tờ trình.txt", c.Name);
        Assert.Equal("text/plain", c.MediaType);

        var clash = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "TỜ TRÌNH.txt", Content = new MemoryStream([1]) }, null, ArchiveHarness.User, ct));
        Assert.Equal("file-name.case-clash", clash.Errors[0].Rule);

        var v4 = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "Tờ trình.txt", Content = new MemoryStream("bản hai"u8.ToArray()) }, v3.Stored.Version, ArchiveHarness.User, ct);
        Assert.Single(v4.Stored.Value.Documents[0].Contents);
        Assert.Equal("bản hai", await ReadAsync(h, code, decomposed, null));
        Assert.Equal("bản một", await ReadAsync(h, code, "Tờ trình.txt", v3.Stored.Version));

        var removed = await h.Files.RemoveContentAsync(code, 1, "Tờ trình.txt", null, ArchiveHarness.User, ct);
        Assert.Empty(removed.Stored.Value.Documents[0].Contents);
        Assert.Null(await h.Files.OpenContentAsync(code, 1, "Tờ trình.txt", cancellationToken: ct));
        Assert.Equal("bản hai", await ReadAsync(h, code, "Tờ trình.txt", v4.Stored.Version));
    }

    [Fact]
    public async Task Damaged_pdf_is_stored_with_a_failed_text_status_and_a_textless_pdf_as_empty()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
        var junk = "%PDF-1.7\nthis is not really a pdf"u8.ToArray();
        var r = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "hong.pdf", Content = new MemoryStream(junk) }, null, ArchiveHarness.User, ct);
        var c = Assert.Single(r.Stored.Value.Documents[0].Contents);
        Assert.Equal("application/pdf", c.MediaType);
        Assert.Equal(TextExtractionStatus.Failed, c.TextStatus);
        Assert.Equal(RecordFileService.GenericExtractionFailure, c.TextFailureReason);
        Assert.Null(c.TextPath);

        var blank = TestPdf.Create(" ");
        var e = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "trang-trang.pdf", Content = new MemoryStream(blank) }, null, ArchiveHarness.User, ct);
        Assert.Equal(TextExtractionStatus.Empty, e.Stored.Value.Documents[0].Contents.Single(x => x.Name == "trang-trang.pdf").TextStatus);
    }

    private static async Task<string> ReadAsync(ArchiveHarness h, string code, string name, int? version)
    {
        await using var content = await h.Files.OpenContentAsync(code, 1, name, version: version, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(content);
        using var reader = new StreamReader(content.Content.Stream);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
