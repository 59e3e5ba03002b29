using Archive.Hosting;
using Archive.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.Core.Tests.Records;

/// <summary>
/// Issue 22 items 6 and 7 in the engine: Decree 30 type abbreviations (official and local), dates of past events not
/// in the future, fonds codes unique whatever the letter case, invisible characters refused in names and titles,
/// keyword counts bounded — each refusal naming the field and the rule, nothing stored.
/// </summary>
public sealed class InputHygieneTests
{
    [Fact]
    public async Task A_to_trinh_is_filed_and_local_abbreviations_come_from_the_options()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(o => o.Records.LocalTypeAbbreviations = ["KLuan"]);
        await h.SeedAsync();
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;

        var stored = await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("12", "TTr-UBND") with { TypeName = "Tờ trình" }, null, ArchiveHarness.User, ct);
        Assert.Equal("TTr-UBND", stored.Stored.Value.Documents.Single().CodeNotation);
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("13", "KLuan-SNV"), null, ArchiveHarness.User, ct);

        var unknown = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("14", "Ttr-UBND"), null, ArchiveHarness.User, ct));
        Assert.Equal(("codeNotation", "code-notation.format"), (unknown.Errors[0].Field, unknown.Errors[0].Rule));

        // Without the option, the local abbreviation is refused.
        await using var plain = ArchiveHarness.Create();
        await plain.SeedAsync();
        var other = (await plain.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await plain.Files.AddDocumentAsync(other, ArchiveHarness.DocInput("13", "KLuan-SNV"), null, ArchiveHarness.User, ct));
    }

    [Fact]
    public void A_malformed_local_abbreviation_stops_the_host_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddArchive(o =>
        {
            o.DataPath = Path.GetTempPath();
            o.Records.LocalTypeAbbreviations = ["KLuan", "K-Luan"];
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Archive:Records:LocalTypeAbbreviations: 'K-Luan'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dates_of_past_events_in_the_future_are_refused_with_a_day_of_tolerance()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var year = today.Year;
        var future = today.AddDays(3);

        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput(year: year) with { StartDate = future, EndDate = future.AddDays(1) }, ArchiveHarness.User, ct));
        var rules = ex.Errors.Select(e => (e.Field, e.Rule)).ToList();
        Assert.Contains(("startDate", "date.future"), rules);
        Assert.Contains(("endDate", "date.future"), rules);

        var far = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput(year: year + 2) with { StartDate = null, EndDate = null }, ArchiveHarness.User, ct));
        Assert.Contains(far.Errors, e => e.Field == "fileCatalog" && e.Rule == "date.future");

        // Next year's file (danh mục hồ sơ prepared in advance) and today's dates are fine.
        await h.Files.CreateAsync(ArchiveHarness.FileInput("02.TCCB", year + 1) with { StartDate = null, EndDate = null }, ArchiveHarness.User, ct);
        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput("03.TCCB", year) with { StartDate = today, EndDate = null }, ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(year: year) with { IssuedDate = today }, null, ArchiveHarness.User, ct);
        var issued = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput("06", year: year) with { IssuedDate = future }, null, ArchiveHarness.User, ct));
        Assert.Contains(issued.Errors, e => e.Field == "issuedDate" && e.Rule == "date.future");
    }

    [Fact]
    public async Task Fonds_codes_differing_only_in_case_cannot_coexist()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H31", Name = "Sở Nội vụ Hải Phòng" }, ArchiveHarness.User, ct);
        await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H32", Name = "Sở Tư pháp" }, ArchiveHarness.User, ct);
        await h.Fonds.CreateAsync(new FondsInput { Code = "P-SNV-HP", Name = "Phông Sở Nội vụ", AgencyId = "000.00.00.H31" }, ArchiveHarness.User, ct);
        var ex = await Assert.ThrowsAsync<ArchiveConflictException>(async () =>
            await h.Fonds.CreateAsync(new FondsInput { Code = "p-snv-hp", Name = "Phông khác", AgencyId = "000.00.00.H32" }, ArchiveHarness.User, ct));
        Assert.Equal(ConflictRules.AlreadyExists, ex.Rule);
        Assert.Contains("P-SNV-HP", ex.Message, StringComparison.Ordinal);
        Assert.Null(await h.Fonds.GetAsync("p-snv-hp", ct));
    }

    [Fact]
    public async Task Invisible_characters_are_refused_in_names_titles_and_content_names()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();

        var agency = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H33", Name = "Sở\u200B Nội vụ" }, ArchiveHarness.User, ct));
        Assert.Equal(("name", TextRules.InvisibleCharacter), (agency.Errors[0].Field, agency.Errors[0].Rule));

        await h.Agencies.CreateAsync(new Agency { Id = "000.00.00.H33", Name = "Sở Nội vụ" }, ArchiveHarness.User, ct);
        var fonds = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Fonds.CreateAsync(new FondsInput { Code = "P-H33", Name = "Phông \u202Eụv iộN", AgencyId = "000.00.00.H33" }, ArchiveHarness.User, ct));
        Assert.Contains(fonds.Errors, e => e.Field == "name" && e.Rule == TextRules.InvisibleCharacter);

        var title = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput() with { Title = "Hồ sơ\u0000 tổ chức" }, ArchiveHarness.User, ct));
        Assert.Contains(title.Errors, e => e.Field == "title" && e.Rule == TextRules.InvisibleCharacter);

        var code = (await h.Files.CreateAsync(ArchiveHarness.FileInput(), ArchiveHarness.User, ct)).Stored.Value.FileCode;
        await h.Files.AddDocumentAsync(code, ArchiveHarness.DocInput(), null, ArchiveHarness.User, ct);
        var name = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "to\u200Btrinh.pdf", Content = new MemoryStream([1, 2, 3]) }, null, ArchiveHarness.User, ct));
        Assert.Equal(("fileName", TextRules.InvisibleCharacter), (name.Errors[0].Field, name.Errors[0].Rule));

        var keywords = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Files.CreateAsync(ArchiveHarness.FileInput("09.TCCB") with { Keywords = Enumerable.Range(0, 5000).Select(i => "k" + i).ToList() }, ArchiveHarness.User, ct));
        Assert.Contains(keywords.Errors, e => e.Field == "keywords" && e.Rule == "keywords.too-many" && e.Message.Contains("100", StringComparison.Ordinal));
    }
}
