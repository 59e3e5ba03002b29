using Xunit;
using Archive.Records;
using Archive.Retention;

namespace Archive.Core.Tests.Records;

/// <summary>Every rule the engine applies to record files and documents, each naming field and rule, nothing stored on rejection.</summary>
public sealed class RecordFileRulesTests
{
    [Fact]
    public async Task Decree30_rules_are_all_reported_at_once_and_nothing_is_stored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var input = ArchiveHarness.FileInput() with
        {
            FileCatalog = 215,
            FileNotation = "01 TCCB",
            Title = " ",
            StartDate = new DateOnly(2015, 5, 1),
            EndDate = new DateOnly(2015, 1, 1),
            Status = RecordFileStatus.Unfinished,
            Keywords = [new string('k', 101)],
            Creator = new string('c', 31),
            SheetNumber = -1,
        };
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await h.Files.CreateAsync(input, ArchiveHarness.User, ct));
        var rules = ex.Errors.Select(e => (e.Field, e.Rule)).ToList();
        Assert.Contains(("fileCatalog", "file-catalog.range"), rules);
        Assert.Contains(("fileNotation", "file-notation.format"), rules);
        Assert.Contains(("title", "required"), rules);
        Assert.Contains(("endDate", "dates.order"), rules);
        Assert.Contains(("unfinishedNote", "unfinished.note-required"), rules);
        Assert.Contains(("keywords[0]", "max-length"), rules);
        Assert.Contains(("creator", "max-length"), rules);
        Assert.Contains(("sheetNumber", "number.negative"), rules);
        await foreach (var _ in h.Files.ListAsync(cancellationToken: ct))
        {
            Assert.Fail("Nothing may be stored after a rejection.");
        }
    }

    [Fact]
    public async Task Fonds_organ_and_schedule_rules()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        var noFonds = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput(fondsCode: "P-NONE"), ArchiveHarness.User, ct));
        Assert.Equal(("fondsCode", "fonds.not-found"), (noFonds.Errors[0].Field, noFonds.Errors[0].Rule));

        // OrganId is the fonds' creating agency.
        var organ = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput() with { OrganId = "000.00.00.H30" }, ArchiveHarness.User, ct));
        Assert.Contains(organ.Errors, e => e.Field == "organId" && e.Rule == "organ-id.fonds-agency");

        // Retention: either given or from the schedule item, which must exist.
        var none = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput() with { Maintenance = null }, ArchiveHarness.User, ct));
        Assert.Equal(("maintenance", "maintenance.required"), (none.Errors[0].Field, none.Errors[0].Rule));
        var unknown = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput() with { Maintenance = null, ScheduleItemCode = "no.such.item" }, ArchiveHarness.User, ct));
        Assert.Equal(("scheduleItemCode", "schedule-item.not-found"), (unknown.Errors[0].Field, unknown.Errors[0].Rule));

        // Classified to a default item: maintenance defaults from it.
        var classified = await h.Files.CreateAsync(ArchiveHarness.FileInput() with { Maintenance = null, ScheduleItemCode = "tt10.procurement-winning-bid" }, ArchiveHarness.User, ct);
        Assert.Equal(RetentionPeriod.OfYears(20), classified.Stored.Value.Maintenance);
        Assert.Empty(classified.Warnings);

        // Given and different from the item: accepted with a warning.
        var differs = await h.Files.CreateAsync(ArchiveHarness.FileInput("02.TCCB") with { Maintenance = RetentionPeriod.OfYears(5), ScheduleItemCode = "tt10.plans-reports-annual" }, ArchiveHarness.User, ct);
        Assert.Equal("maintenance.differs-from-schedule", Assert.Single(differs.Warnings).Rule);
        Assert.Equal(RetentionPeriod.OfYears(5), differs.Stored.Value.Maintenance);

        // Same code again: conflict, not an overwrite.
        var dup = await Assert.ThrowsAsync<ArchiveConflictException>(async () => await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, dup.Rule);
        Assert.Equal(1, (await h.Files.GetAsync(classified.Stored.Value.FileCode, ct))!.Version);
    }

    [Fact]
    public async Task Identity_cannot_change_on_update_and_totals_are_computed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var created = await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct);
        var code = created.Stored.Value.FileCode;
        var moved = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.UpdateAsync(code, ArchiveHarness.FileInput("09.KHAC", 2016), null, ArchiveHarness.User, ct));
        Assert.Contains(moved.Errors, e => e.Field == "fileCatalog" && e.Rule == "record-file.identity-immutable");
        Assert.Contains(moved.Errors, e => e.Field == "fileNotation" && e.Rule == "record-file.identity-immutable");

        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("05") with { PageAmount = 3 }, null, ArchiveHarness.User, ct);
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("06") with { PageAmount = 4 }, null, ArchiveHarness.User, ct);
        var updated = await h.Files.UpdateAsync(code, ArchiveHarness.FileInput() with { Title = "Tiêu đề mới" }, null, ArchiveHarness.User, ct);
        Assert.Equal("Tiêu đề mới", updated.Stored.Value.Title);
        Assert.Equal(2, updated.Stored.Value.DocTotal);
        Assert.Equal(7, updated.Stored.Value.PageTotal);
        Assert.Equal(2, updated.Stored.Value.Documents.Count);
    }

    [Fact]
    public async Task Document_rules()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        var bad = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("5", "bnv vp") with { PageAmount = 1000, Subject = new string('s', 501) }, null, ArchiveHarness.User, ct));
        var rules = bad.Errors.Select(e => (e.Field, e.Rule)).ToList();
        Assert.Contains(("codeNumber", "code-number.zero-pad"), rules);
        Assert.Contains(("codeNotation", "code-notation.format"), rules);
        Assert.Contains(("pageAmount", "page-amount.range"), rules);
        Assert.Contains(("subject", "max-length"), rules);

        var half = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput() with { CodeNotation = null }, null, ArchiveHarness.User, ct));
        Assert.Equal(("codeNotation", "number-symbol.pair"), (half.Errors[0].Field, half.Errors[0].Rule));

        var range = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput() with { DocOrdinal = 1000 }, null, ArchiveHarness.User, ct));
        Assert.Contains(range.Errors, e => e.Rule == "doc-ordinal.range" && e.Field == "docOrdinal");
        Assert.Equal(1, (await h.Files.GetAsync(code, ct))!.Version);

        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput() with { DocOrdinal = 4 }, null, ArchiveHarness.User, ct);
        var taken = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("07") with { DocOrdinal = 4 }, null, ArchiveHarness.User, ct));
        Assert.Equal("doc-ordinal.taken", taken.Errors[0].Rule);
        var next = await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("08"), null, ArchiveHarness.User, ct);
        Assert.Equal([4, 5], next.Stored.Value.Documents.Select(d => d.DocOrdinal));

        // Updating one document names that document's own fields, as its request spells them (#22 item 2).
        var update = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.UpdateDocumentAsync(code, 5, ArchiveHarness.DocInput("08") with { Subject = new string('s', 501) }, null, ArchiveHarness.User, ct));
        Assert.Equal(("subject", "max-length"), (update.Errors[0].Field, update.Errors[0].Rule));

        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () =>
            await h.Files.UpdateDocumentAsync(code, 9, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () =>
            await h.Files.AddDocumentAsync("000.00.00.G09.2015.99.X", ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct));

        // After the fonds is closed, no document dated after the closing day can join it.
        await h.Fonds.CloseAsync(ArchiveHarness.FondsCode, new DateOnly(2024, 12, 31), "Giải thể", null, ArchiveHarness.User, ct);
        var late = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("09", year: 2025), null, ArchiveHarness.User, ct));
        Assert.Equal(("issuedDate", "document.issued-after-fonds-closed"), (late.Errors[0].Field, late.Errors[0].Rule));
        var backlog = await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("10", year: 2015), null, ArchiveHarness.User, ct);
        Assert.Equal(3, backlog.Stored.Value.DocTotal);
    }

    [Fact]
    public async Task Duplicate_number_symbol_and_issuing_body_is_a_warning_not_an_error()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var first = (await h.Files.CreateAsync(ArchiveHarness.FileInput("01.TCCB"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        var second = (await h.Files.CreateAsync(ArchiveHarness.FileInput("02.VP"), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        Assert.Empty((await h.Files.AddDocumentAsync(first, ArchiveHarness.DocInput("05"), null, ArchiveHarness.User, ct)).Warnings);

        // Same number, symbol, issuing body and year in another file of the agency: stored, with a warning (found in
        // the search index, so once the first document is searchable).
        await h.ProjectedAsync();
        var other = await h.Files.AddDocumentAsync(second, ArchiveHarness.DocInput("05"), null, ArchiveHarness.User, ct);
        var w = Assert.Single(other.Warnings);
        Assert.Equal("document.duplicate-number", w.Rule);
        Assert.Equal("codeNumber", w.Field); // the document's own field (#22 item 2)
        Assert.Contains(first + "/1", w.Message, StringComparison.Ordinal);
        Assert.Single(other.Stored.Value.Documents);

        // Within the same file too.
        var same = await h.Files.AddDocumentAsync(first, ArchiveHarness.DocInput("05"), null, ArchiveHarness.User, ct);
        Assert.Contains(same.Warnings, x => x.Rule == "document.duplicate-number" && x.Message.Contains("Document 1 of this file", StringComparison.Ordinal));

        // A different year (numbering restarts every year) or another issuing body is no duplicate.
        Assert.Empty((await h.Files.AddDocumentAsync(second, ArchiveHarness.DocInput("05", year: 2016), null, ArchiveHarness.User, ct)).Warnings);
        Assert.Empty((await h.Files.AddDocumentAsync(second, ArchiveHarness.DocInput("05") with { OrganName = "Văn phòng Chính phủ" }, null, ArchiveHarness.User, ct)).Warnings);
    }
}
