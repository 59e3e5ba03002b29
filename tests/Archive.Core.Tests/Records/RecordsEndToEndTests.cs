using Archive.Testing.Support;
using Xunit;
using System.Security.Cryptography;
using Archive.Records;
using Archive.Retention;
using Archive.Search;

namespace Archive.Core.Tests.Records;

/// <summary>The whole path on the real file-system store, OCFL package store and Lucene index.</summary>
public sealed class RecordsEndToEndTests
{
    [Fact]
    public async Task Agency_fonds_file_documents_pdf_search_retention_and_closing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        // Record file: OrganId and file code are filled by the engine.
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        var code = created.Stored.Value.FileCode;
        Assert.Equal("000.00.00.G09.2015.01.TCCB", code);
        Assert.Equal(ArchiveHarness.AgencyId, created.Stored.Value.OrganId);
        Assert.Equal(1, created.Stored.Version);
        Assert.Equal(new RecordFileProjection(code, 1, ProjectionState.Searchable, 1), await h.Files.WaitSearchableAsync(code, 1, TimeSpan.FromSeconds(30), ct));

        // A document with a two-page PDF in Vietnamese, uploaded as a forward-only stream.
        var added = await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), created.Stored.Version, ArchiveHarness.User, ct);
        Assert.Empty(added.Warnings);
        var pdf = TestPdf.Create("Công văn số 05/BNV-VP về việc sắp xếp tổ chức bộ máy hành chính", "Trang hai: danh sách đơn vị hợp nhất tại Hà Nội");
        var sha = Convert.ToHexStringLower(SHA256.HashData(pdf));
        var uploaded = await h.Files.AddContentAsync(
            code,
            1,
            new ContentUpload { FileName = "Công văn 05.pdf", Content = new ForwardOnlyStream(new MemoryStream(pdf)), ExpectedSha256 = sha.ToUpperInvariant() },
            added.Stored.Version,
            ArchiveHarness.User,
            ct);
        var doc = Assert.Single(uploaded.Stored.Value.Documents);
        var content = Assert.Single(doc.Contents);
        Assert.Equal("application/pdf", content.MediaType);
        Assert.Equal(sha, content.Sha256);
        Assert.Equal(pdf.Length, content.Length);
        Assert.Equal(TextExtractionStatus.Extracted, content.TextStatus);
        Assert.Equal("content/001/Công văn 05.pdf", content.LogicalPath);
        Assert.Equal("derived/001/Công văn 05.pdf.pages.json", content.TextPath);
        Assert.Equal(2, doc.PageAmount);
        Assert.Equal(1, uploaded.Stored.Value.DocTotal);
        Assert.Equal(2, uploaded.Stored.Value.PageTotal);
        Assert.Equal(3, uploaded.Stored.Version);

        var pages = await h.Files.GetContentTextAsync(code, 1, "Công văn 05.pdf", cancellationToken: ct);
        Assert.NotNull(pages);
        Assert.Equal(2, pages.Count);
        Assert.Contains("hợp nhất", pages[1], StringComparison.Ordinal);

        // Download whole and as a range.
        await using (var whole = await h.Files.OpenContentAsync(code, 1, "Công văn 05.pdf", cancellationToken: ct))
        {
            Assert.NotNull(whole);
            using var copy = new MemoryStream();
            await whole.Content.Stream.CopyToAsync(copy, ct);
            Assert.Equal(pdf, copy.ToArray());
        }

        await using (var part = await h.Files.OpenContentAsync(code, 1, "Công văn 05.pdf", new Archive.Storage.ByteRange(0, 5), cancellationToken: ct))
        {
            Assert.NotNull(part);
            var buffer = new byte[16];
            var n = await part.Content.Stream.ReadAtLeastAsync(buffer, 16, throwOnEndOfStream: false, ct);
            Assert.Equal("%PDF-"u8.ToArray(), buffer[..n]);
        }

        // Search without diacritics finds the document by its type, subject and PDF text (with the page).
        var hits = await h.SearchAsync("cong van");
        Assert.Contains(hits.Hits, x => x.Document.Id == code + "/1");
        var byText = await h.SearchAsync("hop nhat ha noi");
        var textHit = Assert.Single(byText.Hits, x => x.Document.Id == code + "/1");
        Assert.Contains(textHit.Highlights, x => x.Page == 2);
        var byTitle = await h.SearchAsync("sap xep to chuc bo may", new TermsFilter(SearchFields.Kind, ["RecordFile"]));
        Assert.Equal(code, Assert.Single(byTitle.Hits).Document.Id);

        // Retention: 10 years from closing year 2015 → due for appraisal from 2025.
        Assert.Empty((await h.Planner.DueForAppraisalAsync(new DateOnly(2024, 12, 31), cancellationToken: ct)).Due);
        var due = await h.Planner.DueForAppraisalAsync(new DateOnly(2025, 1, 1), cancellationToken: ct);
        var item = Assert.Single(due.Due);
        Assert.Equal(code, item.FileCode);
        Assert.Equal(2025, item.DueYear);

        // Close the fonds: a new record file is refused, the existing one stays readable.
        await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 6, 30), "Quyết định sáp nhập số 01/QĐ-TTg", null, ArchiveHarness.User, ct);
        var refused = await Assert.ThrowsAsync<FondsClosedException>(async () => await h.Files.CreateAsync(ArchiveHarness.FileInput("02.VP"), ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.FondsClosed, refused.Rule);
        Assert.Equal(new DateOnly(2025, 6, 30), refused.ClosedOn);
        Assert.Null(await h.Files.GetAsync("000.00.00.G09.2015.02.VP", ct));
        Assert.NotNull(await h.Files.GetAsync(code, ct));

        // Everything stored verifies.
        await foreach (var fixity in h.Files.VerifyAllAsync(ct))
        {
            Assert.True(fixity.Report.IsValid, string.Join("; ", fixity.Report.Problems));
        }

        var report = await h.Files.VerifyAsync(code, ct);
        Assert.True(report.IsValid);
        Assert.True(report.FilesChecked >= 3);

        // Bit rot in the stored PDF is found by the fixity check.
        var stored = Directory.EnumerateFiles(Path.Combine(h.DataPath, "store"), "*", SearchOption.AllDirectories)
            .Single(p => new FileInfo(p).Length == pdf.Length && File.ReadAllBytes(p).AsSpan().SequenceEqual(pdf));
        var bytes = File.ReadAllBytes(stored);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(stored, bytes);
        var damaged = await h.Files.VerifyAsync(code, ct);
        Assert.False(damaged.IsValid);
        Assert.Contains(damaged.Problems, p => p.Kind == Archive.Packages.FixityProblemKind.ContentDigestMismatch);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await h.Files.VerifyAsync("000.00.00.G09.2015.99.X", ct));
    }
}
