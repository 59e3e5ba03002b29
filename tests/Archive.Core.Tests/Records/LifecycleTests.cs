using Xunit;
using Archive.Records;
using Archive.Retention;

namespace Archive.Core.Tests.Records;

/// <summary>Versions and history, optimistic concurrency, weeding, legal hold and accession.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Every_change_is_a_version_with_user_and_message_and_past_versions_stay_readable()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), 1, ArchiveHarness.User, ct);
        await h.Files.UpdateAsync(code, ArchiveHarness.FileInput() with { Title = "Tiêu đề sửa" }, 2, new ArchiveUser("Lê Thị C"), ct);

        var history = await h.Files.GetHistoryAsync(code, ct);
        Assert.Equal([1, 2, 3], history.Select(v => v.Version));
        Assert.Equal("Create record file " + code, history[0].Message);
        Assert.Equal("Add document 1 to " + code, history[1].Message);
        Assert.Equal(ArchiveHarness.User.Name, history[0].UserName);
        Assert.Equal(ArchiveHarness.User.Address, history[0].UserAddress);
        Assert.Equal("Lê Thị C", history[2].UserName);

        var v1 = await h.Files.GetVersionAsync(code, 1, ct);
        Assert.NotNull(v1);
        Assert.Empty(v1.Value.Documents);
        Assert.Equal(3, v1.HeadVersion);
        Assert.Equal(ArchiveHarness.FileInput().Title, v1.Value.Title);
        Assert.Null(await h.Files.GetVersionAsync(code, 4, ct));
        var head = await h.Files.GetAsync(code, ct);
        Assert.Equal("Tiêu đề sửa", head!.Value.Title);
        Assert.NotEqual(v1.InventoryDigest, string.Empty);
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () => await h.Files.GetHistoryAsync("000.00.00.G09.2015.77.X", ct));
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_precondition_failure_and_changes_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        // Two editors read version 1; the first one wins, the second is told to reload.
        await h.Files.UpdateAsync(code, ArchiveHarness.FileInput() with { Title = "Người thứ nhất" }, 1, ArchiveHarness.User, ct);
        var stale = await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () =>
            await h.Files.UpdateAsync(code, ArchiveHarness.FileInput() with { Title = "Người thứ hai" }, 1, ArchiveHarness.User, ct));
        Assert.Equal(1, stale.ExpectedVersion);
        Assert.Equal(2, stale.ActualVersion);
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "x.txt", Content = new MemoryStream([1]) }, 1, ArchiveHarness.User, ct));
        var head = await h.Files.GetAsync(code, ct);
        Assert.Equal(2, head!.Version);
        Assert.Equal("Người thứ nhất", head.Value.Title);

        // Without an expected version, concurrent writers are serialised and none is lost.
        var tasks = Enumerable.Range(1, 6).Select(i => h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput((10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)) with { DocOrdinal = i }, null, ArchiveHarness.User, ct).AsTask());
        await Task.WhenAll(tasks);
        var after = await h.Files.GetAsync(code, ct);
        Assert.Equal(6, after!.Value.DocTotal);
        Assert.Equal(8, after.Version);
    }

    [Fact]
    public async Task Weeded_material_is_listed_apart_excluded_from_totals_and_never_in_transfer_lists()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var permanent = ArchiveHarness.FileInput("01.TH", 2010) with { Maintenance = RetentionPeriod.Permanent };
        var kept = (await h.Files.CreateAsync(permanent, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var weeded = (await h.Files.CreateAsync(permanent with { FileNotation = "02.TH" }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(kept, ArchiveHarness.DocInput("05", year: 2010) with { PageAmount = 2 }, null, ArchiveHarness.User, ct);
        await h.Files.AddDocumentAsync(kept, ArchiveHarness.DocInput("06", year: 2010) with { PageAmount = 5, TypeName = "Báo" }, null, ArchiveHarness.User, ct);

        var noReason = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.MarkNonArchivalAsync(weeded, null, NonArchivalKind.Draft, "  ", null, ArchiveHarness.User, ct));
        Assert.Equal(("reason", "weeding.reason-required"), (noReason.Errors[0].Field, noReason.Errors[0].Rule));

        await h.Files.MarkNonArchivalAsync(weeded, null, NonArchivalKind.Draft, "Bản dự thảo, đã có bản chính", null, ArchiveHarness.User, ct);
        var doc = await h.Files.MarkNonArchivalAsync(kept, 2, NonArchivalKind.Newspaper, "Báo in, không phải tài liệu lưu trữ", null, ArchiveHarness.User, ct);
        Assert.Equal(1, doc.Stored.Value.DocTotal);
        Assert.Equal(2, doc.Stored.Value.PageTotal);
        Assert.Equal(ArchiveHarness.User.Name, doc.Stored.Value.Documents[1].NonArchival!.MarkedBy);

        var listed = new List<NonArchivalEntry>();
        await foreach (var e in h.Files.ListNonArchivalAsync(ArchiveHarness.AgencyId, ct))
        {
            listed.Add(e);
        }

        Assert.Equal(2, listed.Count);
        Assert.Contains(listed, e => e.FileCode == weeded && e.DocOrdinal is null && e.Mark.Kind == NonArchivalKind.Draft);
        Assert.Contains(listed, e => e.FileCode == kept && e.DocOrdinal == 2 && e.Mark.Kind == NonArchivalKind.Newspaper);

        // 2010 + 1 + 5 = 2016: only the archival file is due for transfer, counted without the weeded document.
        var transfer = await h.Planner.DueForTransferAsync(new DateOnly(2016, 1, 1), cancellationToken: ct);
        var item = Assert.Single(transfer.Due);
        Assert.Equal(kept, item.FileCode);
        Assert.Equal(2016, item.DueYear);
        Assert.Equal(1, item.DocTotal);
        Assert.Empty(transfer.Withheld);

        // Weeded material is tagged in the index so search screens can hide it.
        var tagged = await h.SearchAsync("", new Archive.Search.TermsFilter("tag.nonArchival", ["true"]));
        Assert.Equal([kept + "/2", weeded], tagged.Hits.Select(x => x.Document.Id).Order(StringComparer.Ordinal));

        // A weeding decision can be reversed; the history keeps both.
        var back = await h.Files.ClearNonArchivalAsync(weeded, null, "Hội đồng xác định cần giữ", null, ArchiveHarness.User, ct);
        Assert.Null(back.Stored.Value.NonArchival);
        Assert.Equal(2, (await h.Planner.DueForTransferAsync(new DateOnly(2016, 1, 1), cancellationToken: ct)).Due.Count);
    }

    [Fact]
    public async Task Legal_hold_freezes_the_file_and_accession_makes_it_read_only()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.TH", 2010) with { Maintenance = RetentionPeriod.Permanent }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var held = await h.Files.SetLegalHoldAsync(code, true, "Quyết định tạm giữ số 12/QĐ-CA", null, ArchiveHarness.User, ct);
        Assert.True(held.Stored.Value.LegalHold);

        var frozen = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("01.TH", 2010) with { Title = "Sửa" }, null, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.LegalHold, frozen.Rule);
        await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Files.MarkNonArchivalAsync(code, null, NonArchivalKind.Other, "x", null, ArchiveHarness.User, ct));
        await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct));

        // Held files are withheld from disposition lists, not silently dropped.
        var transfer = await h.Planner.DueForTransferAsync(new DateOnly(2030, 1, 1), cancellationToken: ct);
        Assert.Empty(transfer.Due);
        Assert.Equal("legal-hold", Assert.Single(transfer.Withheld).WithheldReason);

        await h.Files.SetLegalHoldAsync(code, false, "Quyết định chấm dứt tạm giữ", null, ArchiveHarness.User, ct);
        Assert.Single((await h.Planner.DueForTransferAsync(new DateOnly(2030, 1, 1), cancellationToken: ct)).Due);

        var accessioned = await h.Files.MarkAccessionedAsync(code, new DateTimeOffset(2030, 3, 1, 9, 0, 0, TimeSpan.FromHours(7)), "Biên bản thu nộp số 03/BB-LTLS", null, ArchiveHarness.User, ct);
        Assert.NotNull(accessioned.Stored.Value.AccessionedAt);
        var readOnly = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Files.SetLegalHoldAsync(code, true, "x", null, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.Accessioned, readOnly.Rule);
        var report = await h.Planner.DueForTransferAsync(new DateOnly(2030, 1, 1), cancellationToken: ct);
        Assert.Empty(report.Due);
        Assert.Empty(report.Withheld);

        // Only permanent files can be accessioned.
        var fixedTerm = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.TH", 2010), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var wrong = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Files.MarkAccessionedAsync(fixedTerm, DateTimeOffset.UtcNow, "BB 04", null, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.InvalidState, wrong.Rule);
    }
}
