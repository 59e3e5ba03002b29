using System.Security.Cryptography;
using Archive.Testing.Support;
using Archive.Core.Tests.Indexing;
using Archive.Records;
using Archive.Search;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Records;

public sealed class ImportTests
{
    private static readonly byte[] Pdf = TestPdf.Create("Quyết định số 12/QĐ-UBND về việc hợp nhất Sở Tư pháp", "Trang hai: danh sách công chức chuyển sang đơn vị mới");

    private static RecordFileImport TwoDocuments(string notation = "01.HN") => new()
    {
        File = ArchiveHarness.FileInput(notation),
        Documents =
        [
            new DocumentImport
            {
                Document = ArchiveHarness.DocInput("12", "QĐ-UBND", "Quyết định hợp nhất Sở Tư pháp"),
                Contents =
                [
                    new ContentUpload { FileName = "quyết định.pdf", Content = new ForwardOnlyStream(new MemoryStream(Pdf)), ExpectedSha256 = Convert.ToHexStringLower(SHA256.HashData(Pdf)) },
                    new ContentUpload { FileName = "ghi-chu.txt", MediaType = "text/plain", Content = new MemoryStream("ghi chú"u8.ToArray()) },
                ],
            },
            new DocumentImport { Document = ArchiveHarness.DocInput("13", "QĐ-UBND", "Danh sách công chức") with { PageAmount = 4 } },
        ],
    };

    [Fact]
    public async Task A_whole_record_file_is_one_version_with_its_documents_content_and_text_and_is_searchable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        var result = await h.Files.ImportAsync(TwoDocuments(), ArchiveHarness.User, ct);

        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(result.Stored.Value.FileCode, result.Stored.Version, TimeSpan.FromSeconds(30), ct)).State);
        var file = result.Stored.Value;
        Assert.Equal(1, result.Stored.Version);
        Assert.Single(await h.Files.GetHistoryAsync(file.FileCode, ct));
        Assert.Equal([1, 2], file.Documents.Select(d => d.DocOrdinal));
        Assert.Equal((2, 7), (file.DocTotal, file.PageTotal)); // 2 pages read from the PDF + 1 from the text note (embedded defaults extract TXT) + 4 given
        var pdf = file.Documents[0].Contents.Single(c => c.MediaType == "application/pdf");
        Assert.Equal(("quyết định.pdf", Convert.ToHexStringLower(SHA256.HashData(Pdf)), (long)Pdf.Length, TextExtractionStatus.Extracted), (pdf.Name, pdf.Sha256, pdf.Length, pdf.TextStatus));
        Assert.Equal(("text/plain", TextExtractionStatus.Extracted), file.Documents[0].Contents.Single(c => c.Name == "ghi-chu.txt") is var note ? (note.MediaType, note.TextStatus) : default);

        // The content reads back byte for byte; the text layer was stored page by page.
        await using (var content = await h.Files.OpenContentAsync(file.FileCode, 1, "quyết định.pdf", cancellationToken: ct))
        {
            using var copy = new MemoryStream();
            await content!.Content.Stream.CopyToAsync(copy, ct);
            Assert.Equal(Pdf, copy.ToArray());
        }

        var pages = await h.Files.GetContentTextAsync(file.FileCode, 1, "quyết định.pdf", cancellationToken: ct);
        Assert.Equal(2, pages!.Count);

        // Searchable with and without diacritics, the hit on the document.
        Assert.Contains((await h.SearchAsync("hợp nhất Sở Tư pháp")).Hits, x => x.Document.Id == file.FileCode + "/1");
        Assert.Contains((await h.SearchAsync("cong chuc chuyen sang don vi moi")).Hits, x => x.Document.Id == file.FileCode + "/1");
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));

        // Fixity of the package holds, and the temporary folder is empty again.
        Assert.Empty((await h.Files.VerifyAsync(file.FileCode, ct)).Problems);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataPath, "tmp")));
        Assert.Empty(h.StagedContentFiles());
    }

    [Fact]
    public async Task Every_broken_rule_is_named_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var import = new RecordFileImport
        {
            File = ArchiveHarness.FileInput() with { Title = " " },
            Documents =
            [
                new DocumentImport
                {
                    Document = ArchiveHarness.DocInput() with { DocOrdinal = 2 },
                    Contents =
                    [
                        new ContentUpload { FileName = "../x.pdf", Content = new MemoryStream([1]) },
                        new ContentUpload { FileName = "a.pdf", MediaType = "not a type", Content = new MemoryStream([1]) },
                        new ContentUpload { FileName = "A.PDF", Content = new MemoryStream([1]), ExpectedSha256 = "xyz" },
                    ],
                },
                new DocumentImport { Document = ArchiveHarness.DocInput("06") with { DocOrdinal = 2 } },
            ],
        };

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.ImportAsync(import, ArchiveHarness.User, ct));

        var found = ex.Errors.Select(e => (e.Field, e.Rule)).ToList();
        Assert.Contains(("documents[0].contents[0].fileName", "file-name.path"), found);
        Assert.Contains(("documents[0].contents[1].mediaType", "content.media-type"), found);
        Assert.Contains(("documents[0].contents[2].fileName", "file-name.case-clash"), found);
        Assert.Contains(("documents[0].contents[2].sha256", "content.sha256-format"), found);
        Assert.Contains(("documents[1].docOrdinal", "doc-ordinal.taken"), found);
        Assert.Contains(found, e => e.Field == "title");
        await AssertNothingStoredAsync(h);
    }

    [Fact]
    public async Task A_content_that_differs_from_its_announced_digest_stores_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var import = TwoDocuments() with
        {
            Documents =
            [
                new DocumentImport
                {
                    Document = ArchiveHarness.DocInput(),
                    Contents = [new ContentUpload { FileName = "a.pdf", Content = new MemoryStream(Pdf), ExpectedSha256 = new string('0', 64) }],
                },
            ],
        };

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.ImportAsync(import, ArchiveHarness.User, ct));

        Assert.Equal(("documents[0].contents[0].sha256", "content.sha256-mismatch"), (ex.Errors[0].Field, ex.Errors[0].Rule));
        await AssertNothingStoredAsync(h);
    }

    [Fact]
    public async Task An_existing_code_or_a_closed_fonds_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        await h.Files.ImportAsync(TwoDocuments(), ArchiveHarness.User, ct);

        var again = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Files.ImportAsync(TwoDocuments(), ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, again.Rule);

        await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 7, 1), "Hợp nhất", null, ArchiveHarness.User, ct);
        await Assert.ThrowsAsync<FondsClosedException>(async () => await h.Files.ImportAsync(TwoDocuments("02.HN"), ArchiveHarness.User, ct));
        Assert.Null(await h.Files.GetAsync(ArchiveHarness.AgencyId + ".2015.02.HN", ct));
    }

    [Fact]
    public async Task A_batch_imports_each_file_on_its_own_reports_failures_in_order_and_is_searchable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var imports = Enumerable.Range(1, 6).Select(i => TwoDocuments($"{i:D2}.HN")).ToList();
        imports[3] = imports[3] with { File = imports[3].File with { Title = string.Empty } };

        var outcomes = await h.Files.ImportBatchAsync(imports, ArchiveHarness.User, maxParallelism: 3, ct);

        Assert.Equal([0, 1, 2, 3, 4, 5], outcomes.Select(o => o.Index));
        Assert.IsType<ArchiveValidationException>(outcomes[3].Error);
        Assert.Null(outcomes[3].Result);
        Assert.All(outcomes.Where(o => o.Index != 3), o => Assert.True(o.Error is null && o.Result is { Stored.Version: 1 }));
        Assert.Null(await h.Files.GetAsync(ArchiveHarness.AgencyId + ".2015.04.HN", ct));
        Assert.Equal(5, (await h.SearchAsync("sap xep to chuc bo may", new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.RecordFile)]))).Total);
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
    }

    [Fact]
    public async Task A_batch_whose_index_update_fails_stays_stored_and_flagged_until_pending_indexing_completes_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var flaky = h.Services.GetRequiredService<ControlledIndex>();
        flaky.Fail = true;

        var outcomes = await h.Files.ImportBatchAsync([TwoDocuments("01.HN"), TwoDocuments("02.HN")], ArchiveHarness.User, cancellationToken: ct);

        await h.ProjectedAsync();
        foreach (var o in outcomes)
        {
            Assert.Equal(ProjectionState.Pending, (await h.Files.GetProjectionAsync(o.Result!.Stored.Value.FileCode, 1, ct)).State);
        }

        var codes = outcomes.Select(o => o.Result!.Stored.Value.FileCode).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(codes, (await h.Indexer.ListPendingAsync(ct)).Order(StringComparer.Ordinal));
        flaky.Fail = false;
        Assert.Equal(0, (await h.SearchAsync("sap xep")).Total);

        Assert.Equal(2, await h.Files.IndexPendingAsync(ct));
        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        Assert.Equal(codes, (await h.SearchAsync("sap xep", new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.RecordFile)]))).Hits.Select(x => x.Document.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_change_committed_between_a_batch_import_and_its_index_update_is_not_overwritten_in_the_index()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(services: ControlledIndex.Use);
        await h.SeedAsync();
        var flaky = h.Services.GetRequiredService<ControlledIndex>();
        var code = ArchiveHarness.AgencyId + ".2015.01.HN";

        // While the batch's documents are being indexed, another caller updates the first record file (and its own
        // index update lands first): the batch must then index that file again from its head.
        var updated = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        flaky.BeforeCall = async _ =>
        {
            flaky.BeforeCall = null;
            updated.SetResult((await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.HN") with { Title = "Tiêu đề mới sau khi nhập" }, null, ArchiveHarness.User, ct)).Stored.Version);
        };
        await h.Files.ImportBatchAsync([TwoDocuments("01.HN")], ArchiveHarness.User, cancellationToken: ct);

        // The update happens inside the projection of the import (in the background): wait for it, then for its version.
        var version = await updated.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(ProjectionState.Searchable, (await h.Files.WaitSearchableAsync(code, version, TimeSpan.FromSeconds(30), ct)).State);

        var hit = Assert.Single((await h.SearchAsync("tieu de moi sau khi nhap", new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.RecordFile)]))).Hits);
        Assert.Equal(code, hit.Document.Id);
        Assert.Equal(2, (await h.Files.GetAsync(code, ct))!.Version);
    }

    [Fact]
    public async Task Record_files_of_one_fonds_are_created_in_parallel_and_closing_the_fonds_waits_for_them()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        // 24 imports and creations race a close of their fonds: each either lands before the close commits or is
        // refused as closed — none is stored after the fonds was closed. The close starts once two have landed, so the
        // race is real (not every task refused) whatever the machine's speed.
        var landed = 0;
        var twoLanded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(1, 24).Select(i => Task.Run(async () =>
        {
            try
            {
                var stored = i % 2 == 0
                    ? (await h.Files.ImportAsync(TwoDocuments($"{i:D2}.SS"), ArchiveHarness.User, ct)).Stored
                    : (await h.Files.CreateAsync(ArchiveHarness.FileInput($"{i:D2}.SS"), ArchiveHarness.User, ct)).Stored;
                if (Interlocked.Increment(ref landed) >= 2)
                {
                    twoLanded.TrySetResult();
                }

                return stored;
            }
            catch (FondsClosedException)
            {
                return null;
            }
        }, ct)).ToList();
        await Task.WhenAny(twoLanded.Task, Task.WhenAll(tasks)).WaitAsync(ct);
        var closed = await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2025, 7, 1), "Hợp nhất", null, ArchiveHarness.User, ct);
        var results = await Task.WhenAll(tasks);

        var closedAt = closed.Stored.Modified;
        Assert.True(results.Count(r => r is not null) >= 2, "at least the two that landed before the close started are stored");
        foreach (var stored in results.OfType<Versioned<RecordFile>>())
        {
            Assert.True(stored.Modified <= closedAt, $"{stored.Value.FileCode} was committed at {stored.Modified:O}, after the fonds was closed at {closedAt:O}");
        }

        var listed = new List<string>();
        await foreach (var f in h.Files.ListAsync(cancellationToken: ct))
        {
            listed.Add(f.Value.FileCode);
        }

        Assert.Equal(results.OfType<Versioned<RecordFile>>().Select(r => r.Value.FileCode).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<FondsClosedException>(async () => await h.Files.ImportAsync(TwoDocuments("99.SS"), ArchiveHarness.User, ct));
    }

    private static async Task AssertNothingStoredAsync(ArchiveHarness h)
    {
        var ct = TestContext.Current.CancellationToken;
        await foreach (var _ in h.Files.ListAsync(cancellationToken: ct))
        {
            Assert.Fail("No record file may be stored.");
        }

        Assert.Empty(await h.Indexer.ListPendingAsync(ct));
        var tmp = Path.Combine(h.DataPath, "tmp");
        Assert.True(!Directory.Exists(tmp) || !Directory.EnumerateFiles(tmp).Any(), "temporary files are removed");
        Assert.Empty(h.StagedContentFiles());
        Assert.Equal(0, (await h.SearchAsync("sap xep", new TermsFilter(SearchFields.Kind, [nameof(SearchDocumentKind.RecordFile)]))).Total);
    }
}
