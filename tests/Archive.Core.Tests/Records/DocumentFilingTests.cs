using System.Security.Cryptography;
using Archive.Testing.Support;
using Archive.Records;
using Xunit;

namespace Archive.Core.Tests.Records;

/// <summary><see cref="RecordFileService.AddDocumentAsync(string, DocumentImport, int?, ArchiveUser, CancellationToken)"/>: a document with its content in one version.</summary>
public sealed class DocumentFilingTests
{
    private static readonly byte[] Pdf = TestPdf.Create("Công văn số 45/SNV-VP về việc bàn giao hồ sơ", "Trang hai: danh mục hồ sơ bàn giao");

    private static DocumentImport Filing(string number, int? ordinal = null, string name = "công văn.pdf", string? sha = null) => new()
    {
        Document = ArchiveHarness.DocInput(number, "SNV-VP", "Bàn giao hồ sơ số " + number) with { DocOrdinal = ordinal },
        Contents =
        [
            new ContentUpload { FileName = name, Content = new ForwardOnlyStream(new MemoryStream(Pdf)), ExpectedSha256 = sha },
            new ContentUpload { FileName = "ghi-chu.txt", MediaType = "text/plain", Content = new MemoryStream("ghi chú "u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(number)).ToArray()) },
        ],
    };

    [Fact]
    public async Task A_document_and_its_content_files_are_one_version_with_their_text()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.NOP"), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        var result = await h.Files.AddDocumentAsync(code, Filing("45", sha: Convert.ToHexStringLower(SHA256.HashData(Pdf))), 1, ArchiveHarness.User, ct);

        Assert.Equal(2, result.Stored.Version);
        Assert.Equal(2, (await h.Files.GetHistoryAsync(code, ct)).Count);
        var document = Assert.Single(result.Stored.Value.Documents);
        Assert.Equal((1, 3), (document.DocOrdinal, document.PageAmount)); // 2 PDF pages + the note
        var pdf = document.Contents.Single(c => c.Name == "công văn.pdf");
        Assert.Equal(("application/pdf", TextExtractionStatus.Extracted, "content/001/công văn.pdf"), (pdf.MediaType, pdf.TextStatus, pdf.LogicalPath));
        Assert.Equal(2, (await h.Files.GetContentTextAsync(code, 1, "công văn.pdf", cancellationToken: ct))!.Count);
        Assert.Empty((await h.Files.VerifyAsync(code, ct)).Problems);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());
    }

    [Fact]
    public async Task Concurrent_filings_get_their_own_ordinals_and_their_content_follows_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.SONG"), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        // All stage against the same head (ordinal 1 tentatively); the commits must move each to a free ordinal.
        await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(async () => await h.Files.AddDocumentAsync(code, Filing(i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)), null, ArchiveHarness.User, ct), ct)));

        var file = (await h.Files.GetAsync(code, ct))!.Value;
        Assert.Equal(Enumerable.Range(1, 8), file.Documents.Select(d => d.DocOrdinal));
        foreach (var d in file.Documents)
        {
            Assert.All(d.Contents, c => Assert.StartsWith($"content/{d.DocOrdinal:D3}/", c.LogicalPath, StringComparison.Ordinal));
            var note = d.Contents.Single(c => c.Name == "ghi-chu.txt");
            await using var content = await h.Files.OpenContentAsync(code, d.DocOrdinal, note.Name, cancellationToken: ct);
            using var reader = new StreamReader(content!.Content.Stream);
            Assert.Equal("ghi chú " + d.CodeNumber, await reader.ReadToEndAsync(ct)); // each document got its own bytes
        }

        Assert.Empty((await h.Files.VerifyAsync(code, ct)).Problems);
    }

    [Fact]
    public async Task Broken_rules_are_named_as_the_single_document_request_spells_them_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.LOI"), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.AddDocumentAsync(code, Filing("45", name: "a/b.pdf"), null, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e is { Field: "contents[0].fileName", Rule: "file-name.path" });
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.AddDocumentAsync(code, Filing("45", sha: new string('0', 64)), null, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e is { Field: "contents[0].sha256", Rule: "content.sha256-mismatch" });
        var future = Filing("45");
        future = future with { Document = future.Document with { IssuedDate = new DateOnly(2999, 1, 1) } };
        ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.AddDocumentAsync(code, future, null, ArchiveHarness.User, ct));
        Assert.Contains(ex.Errors, e => e is { Field: "issuedDate", Rule: "date.future" });
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () => await h.Files.AddDocumentAsync(code, Filing("45"), 7, ArchiveHarness.User, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await h.Files.AddDocumentAsync(code + "X", Filing("45"), null, ArchiveHarness.User, ct));

        Assert.Equal(1, (await h.Files.GetAsync(code, ct))!.Version);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());
    }
}
