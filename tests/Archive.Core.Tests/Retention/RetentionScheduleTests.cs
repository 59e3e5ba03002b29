using Xunit;
using System.Text;
using Archive.Core.Tests.Records;
using Archive.Records;
using Archive.Retention;

namespace Archive.Core.Tests.Retention;

public sealed class RetentionScheduleTests
{
    [Fact]
    public void Default_schedule_holds_only_confirmed_values_labelled_by_source()
    {
        var d = RetentionScheduleService.Default;
        Assert.Equal("default", d.Id);
        Assert.Contains("Circular 10/2022", d.Source, StringComparison.Ordinal);
        Assert.Empty(RetentionScheduleFormats.Validate(d));
        Assert.All(d.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Source)));

        // Circular 10/2022 confirmed values.
        var tt10 = d.Items.Where(i => i.CategoryCode == "tt10-2022").ToDictionary(i => i.Code);
        Assert.Equal(8, tt10.Count);
        Assert.All(tt10.Values, i => Assert.StartsWith("Circular 10/2022/TT-BNV", i.Source, StringComparison.Ordinal));
        Assert.Equal(RetentionPeriod.OfYears(5), tt10["tt10.planning-correspondence"].Retention);
        Assert.Equal(RetentionPeriod.OfYears(5), tt10["tt10.staff-planning-ballots"].Retention);
        Assert.Equal(RetentionPeriod.OfYears(10), tt10["tt10.staff-planning-other"].Retention);
        Assert.Equal(RetentionPeriod.OfYears(20), tt10["tt10.procurement-winning-bid"].Retention);
        Assert.Equal(RetentionPeriod.OfYears(5), tt10["tt10.procurement-losing-bids"].Retention);
        Assert.True(tt10["tt10.plans-reports-annual"].Retention.IsPermanent);
        Assert.True(tt10["tt10.national-assembly-questioning"].Retention.IsPermanent);
        Assert.True(tt10["tt10.master-plans-strategies"].Retention.IsPermanent);

        // Older Circular 09/2011 values are marked to re-check.
        var tt09 = d.Items.Where(i => i.CategoryCode == "tt09-2011").ToList();
        Assert.Equal(9, tt09.Count);
        Assert.All(tt09, i => Assert.Contains("re-check", i.Source, StringComparison.Ordinal));
        Assert.True(d.Find("tt09.reorganisation")!.Retention.IsPermanent);
        Assert.Equal(RetentionPeriod.OfYears(70), d.Find("tt09.appointment-discipline-pension")!.Retention);

        // Permanent items go to the Historical Archives, the others to appraisal.
        Assert.All(d.Items, i => Assert.Equal(i.Retention.IsPermanent ? DispositionAction.TransferToHistoricalArchives : DispositionAction.ReviewForDestruction, i.Disposition));
    }

    [Fact]
    public async Task Csv_with_vietnamese_headers_semicolons_quotes_and_category_rows()
    {
        var csv = "\uFEFFMã;Tên nhóm hồ sơ, tài liệu;Thời hạn lưu trữ;Nhóm;Ghi chú\r\n"
            + "I;Tài liệu tổng hợp;;;\r\n"
            + "1;\"Hồ sơ hội nghị tổng kết; sơ kết \"\"năm\"\"\";Vĩnh viễn;I;\r\n"
            + "2;Công văn trao đổi;10 năm;I;\"dòng một\ndòng hai\"\r\n"
            + "3;Văn bản hết hiệu lực;Đến khi văn bản hết hiệu lực;I;\r\n"
            + "\r\n";
        var schedule = await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "agency", "Bảng của cơ quan", cancellationToken: TestContext.Current.CancellationToken);
        var category = Assert.Single(schedule.Categories);
        Assert.Equal(("I", "Tài liệu tổng hợp"), (category.Code, category.Title));
        Assert.Equal(3, schedule.Items.Count);
        Assert.Equal("Hồ sơ hội nghị tổng kết; sơ kết \"năm\"", schedule.Items[0].Title);
        Assert.True(schedule.Items[0].Retention.IsPermanent);
        Assert.Equal(DispositionAction.TransferToHistoricalArchives, schedule.Items[0].Disposition);
        Assert.Equal(RetentionPeriod.OfYears(10), schedule.Items[1].Retention);
        Assert.Equal("dòng một\ndòng hai", schedule.Items[1].Notes);
        Assert.Equal(RetentionKind.UntilSuperseded, schedule.Items[2].Retention.Kind);

        // English headers, commas, and a round trip through the writer.
        using var written = new MemoryStream();
        await RetentionScheduleFormats.WriteCsvAsync(schedule, written, TestContext.Current.CancellationToken);
        written.Position = 0;
        var again = await RetentionScheduleFormats.ReadCsvAsync(written, "agency", "Bảng của cơ quan", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(schedule.Items, again.Items);
        Assert.Equal(schedule.Categories, again.Categories);
    }

    [Fact]
    public async Task Csv_errors_name_the_row_and_column()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = "code,title,retention,disposition\n"
            + "A1,Một,10y,\n"
            + "A2,Hai,mười năm,\n"
            + "A1,Ba,permanent,tiêu hủy\n"
            + "A4,,5y,\n"
            + "A5,Năm,5y,nộp lưu\n";
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "s", "t", cancellationToken: ct));
        Assert.Contains(ex.Errors, e => e.Field == "rows[3].retention" && e.Rule == "retention.format");
        Assert.Single(ex.Errors);

        var fixedCsv = csv.Replace("mười năm", "10 năm", StringComparison.Ordinal);
        var ex2 = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(fixedCsv)), "s", "t", cancellationToken: ct));
        Assert.Contains(ex2.Errors, e => e.Field == "items[2].code" && e.Rule == "schedule.code-duplicate");
        Assert.Contains(ex2.Errors, e => e.Field == "items[2].disposition" && e.Rule == "schedule.permanent-transfer");
        Assert.Contains(ex2.Errors, e => e.Field == "items[3].title" && e.Rule == "required");
        Assert.Contains(ex2.Errors, e => e.Field == "items[4].disposition" && e.Rule == "schedule.transfer-permanent-only");

        var header = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream("mã,tên,hạn dùng\n"u8.ToArray()), "s", "t", cancellationToken: ct));
        Assert.Contains(header.Errors, e => e.Field == "header[3]" && e.Rule == "csv.unknown-column");
        Assert.Contains(header.Errors, e => e.Field == "header" && e.Rule == "csv.missing-column");

        var quote = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream("code,title,retention\nA,\"open,5y\n"u8.ToArray()), "s", "t", cancellationToken: ct));
        Assert.Equal("csv.format", quote.Errors[0].Rule);
        var latin1 = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadCsvAsync(new MemoryStream([0x63, 0x6F, 0x64, 0x65, 0xE9, 0x0A]), "s", "t", cancellationToken: ct));
        Assert.Equal("csv.encoding", latin1.Errors[0].Rule);
    }

    [Fact]
    public async Task Json_schedule_with_vietnamese_periods_and_defaulted_disposition()
    {
        var ct = TestContext.Current.CancellationToken;
        var json = """
            {
              "id": "uy-ban-tinh",
              "title": "Bảng thời hạn lưu trữ của UBND tỉnh",
              "categories": [ { "code": "TH", "title": "Tài liệu tổng hợp" } ],
              "items": [
                { "code": "TH.01", "title": "Kế hoạch năm", "categoryCode": "TH", "retention": "Vĩnh viễn" },
                { "code": "TH.02", "title": "Báo cáo tháng", "categoryCode": "TH", "retention": "5 năm", "notes": "ghi chú" }
              ]
            }
            """;
        var s = await RetentionScheduleFormats.ReadJsonAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), cancellationToken: ct);
        Assert.Equal(DispositionAction.TransferToHistoricalArchives, s.Find("TH.01")!.Disposition);
        Assert.Equal(RetentionPeriod.OfYears(5), s.Find("TH.02")!.Retention);

        var bad = json.Replace("\"5 năm\"", "\"năm năm\"", StringComparison.Ordinal).Replace("\"Tài liệu tổng hợp\" }", "\"Tài liệu tổng hợp\", \"parentCode\": \"ZZ\" }", StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadJsonAsync(new MemoryStream(Encoding.UTF8.GetBytes(bad)), cancellationToken: ct));
        Assert.Contains(ex.Errors, e => e.Field == "items[1].retention" && e.Rule == "retention.format");
        Assert.Contains(ex.Errors, e => e.Field == "categories[0].parentCode" && e.Rule == "schedule.category-unknown");
        var malformed = await Assert.ThrowsAsync<ArchiveValidationException>(async () => await RetentionScheduleFormats.ReadJsonAsync(new MemoryStream("{ \"id\": 5 }"u8.ToArray()), cancellationToken: ct));
        Assert.Equal("schedule.json", malformed.Errors[0].Rule);
    }

    [Fact]
    public async Task Agency_schedule_overrides_and_extends_the_default_and_classifies_files()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create();
        await h.SeedAsync();
        var csv = "mã,tên hồ sơ,thời hạn lưu trữ,nhóm,căn cứ\n"
            + "tt10.planning-correspondence,Công văn trao đổi về công tác kế hoạch,10 năm,tt10-2022,Quyết định 15/QĐ-BNV của cơ quan\n"
            + "G09.01,Hồ sơ cải cách hành chính,20 năm,,\n";
        var saved = await h.Schedules.ImportAgencyScheduleAsync(ArchiveHarness.AgencyId, new MemoryStream(Encoding.UTF8.GetBytes(csv)), RetentionScheduleFormat.Csv, 0, ArchiveHarness.User, ct);
        Assert.Equal(1, saved.Stored.Version);
        Assert.Equal("agency", saved.Stored.Value.Find("G09.01")!.Source);

        var effective = await h.Schedules.GetEffectiveAsync(ArchiveHarness.AgencyId, ct);
        Assert.Equal(RetentionPeriod.OfYears(10), effective.Find("tt10.planning-correspondence")!.Retention);
        Assert.Equal(RetentionPeriod.OfYears(20), effective.Find("G09.01")!.Retention);
        Assert.Equal(RetentionPeriod.OfYears(20), effective.Find("tt10.procurement-winning-bid")!.Retention);
        Assert.Equal(RetentionScheduleService.Default.Items.Count + 1, effective.Items.Count);
        Assert.Equal(RetentionPeriod.OfYears(5), (await h.Schedules.GetEffectiveAsync(null, ct)).Find("tt10.planning-correspondence")!.Retention);

        // Files of the agency are classified against its effective schedule.
        var file = await h.Files.CreateAsync(ArchiveHarness.FileInput() with { Maintenance = null, ScheduleItemCode = "G09.01" }, ArchiveHarness.User, ct);
        Assert.Equal(RetentionPeriod.OfYears(20), file.Stored.Value.Maintenance);
        var overridden = await h.Files.CreateAsync(ArchiveHarness.FileInput("02.KH") with { Maintenance = null, ScheduleItemCode = "tt10.planning-correspondence" }, ArchiveHarness.User, ct);
        Assert.Equal(RetentionPeriod.OfYears(10), overridden.Stored.Value.Maintenance);

        // Stale version, unknown agency, invalid content.
        await Assert.ThrowsAsync<ArchivePreconditionFailedException>(async () =>
            await h.Schedules.ImportAgencyScheduleAsync(ArchiveHarness.AgencyId, new MemoryStream(Encoding.UTF8.GetBytes(csv)), RetentionScheduleFormat.Csv, 0, ArchiveHarness.User, ct));
        await Assert.ThrowsAsync<ArchiveNotFoundException>(async () =>
            await h.Schedules.SaveAgencyScheduleAsync("000.00.00.H99", saved.Stored.Value, null, ArchiveHarness.User, ct));
        var unknownCategory = saved.Stored.Value with { Items = [.. saved.Stored.Value.Items, new RetentionScheduleItem { Code = "X", Title = "X", CategoryCode = "nope", Retention = RetentionPeriod.OfYears(5), Disposition = DispositionAction.ReviewForDestruction }] };
        var ex = await Assert.ThrowsAsync<ArchiveValidationException>(async () =>
            await h.Schedules.SaveAgencyScheduleAsync(ArchiveHarness.AgencyId, unknownCategory, 1, ArchiveHarness.User, ct));
        Assert.Equal(("items[2].categoryCode", "schedule.category-unknown"), (ex.Errors[0].Field, ex.Errors[0].Rule));

        // Editing is versioned; the effective schedule follows (also after a restart).
        var edited = saved.Stored.Value with { Items = [saved.Stored.Value.Items[1] with { Retention = RetentionPeriod.OfYears(30) }] };
        var v2 = await h.Schedules.SaveAgencyScheduleAsync(ArchiveHarness.AgencyId, edited, 1, ArchiveHarness.User, ct);
        Assert.Equal(2, v2.Stored.Version);
        await h.ReopenAsync();
        var after = await h.Schedules.GetEffectiveAsync(ArchiveHarness.AgencyId, ct);
        Assert.Equal(RetentionPeriod.OfYears(30), after.Find("G09.01")!.Retention);
        Assert.Equal(RetentionPeriod.OfYears(5), after.Find("tt10.planning-correspondence")!.Retention);
        Assert.Equal(2, (await h.Schedules.GetAgencyScheduleHistoryAsync(ArchiveHarness.AgencyId, ct)).Count);
        Assert.Equal(2, (await h.Schedules.GetAgencyScheduleAsync(ArchiveHarness.AgencyId, 1, ct))!.Value.Items.Count);
    }
}
