using Xunit;
using Archive.Core.Tests.Records;
using Archive.Records;
using Archive.Retention;

namespace Archive.Core.Tests.Retention;

public sealed class RetentionPlannerTests
{
    [Fact]
    public async Task Appraisal_and_transfer_due_years_follow_closing_year_and_options()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ArchiveHarness.Create(o => o.YearsToTransfer = 3);
        await h.SeedAsync();
        ArchiveUser u = ArchiveHarness.User;

        // Closing year = EndDate's year (2012), not the year formed (2010).
        await h.Files.CreateAsync(ArchiveHarness.FileInput("01.A", 2010) with { EndDate = new DateOnly(2012, 6, 1), Maintenance = RetentionPeriod.OfYears(5) }, u, ct);
        // No end date: closing year = FileCatalog.
        await h.Files.CreateAsync(ArchiveHarness.FileInput("02.B", 2010) with { EndDate = null, Maintenance = RetentionPeriod.OfYears(10) }, u, ct);
        // Unfinished: the period has not started.
        await h.Files.CreateAsync(ArchiveHarness.FileInput("03.C", 2005) with { Maintenance = RetentionPeriod.OfYears(5), Status = RecordFileStatus.Unfinished, UnfinishedNote = "Chờ ý kiến Bộ" }, u, ct);
        // Until superseded: decided by hand.
        await h.Files.CreateAsync(ArchiveHarness.FileInput("04.D", 2005) with { Maintenance = RetentionPeriod.UntilSuperseded }, u, ct);
        // Permanent: transfer at 2011 + 1 + 3 = 2015.
        await h.Files.CreateAsync(ArchiveHarness.FileInput("05.E", 2011) with { Maintenance = RetentionPeriod.Permanent }, u, ct);
        // Another agency's file.
        await h.SeedAsync("000.00.00.H30", "P-H30", "UBND tỉnh");
        await h.Files.CreateAsync(ArchiveHarness.FileInput("01.A", 2000, "P-H30") with { Maintenance = RetentionPeriod.OfYears(5) }, u, ct);

        // Listing by fonds or agency reads storage.
        var h30 = new List<string>();
        await foreach (var f in h.Files.ListAsync(new RecordFileQuery { FondsCode = "P-H30" }, ct))
        {
            h30.Add(f.Value.FileCode);
        }

        Assert.Equal(["000.00.00.H30.2000.01.A"], h30);
        var g09 = 0;
        await foreach (var f in h.Files.ListAsync(new RecordFileQuery { AgencyId = ArchiveHarness.AgencyId }, ct))
        {
            Assert.Equal(ArchiveHarness.FondsCode, f.Value.FondsCode);
            g09++;
        }

        Assert.Equal(5, g09);

        // Paging: two at a time with After.
        var paged = new List<string>();
        string? after = null;
        while (true)
        {
            var page = new List<string>();
            await foreach (var f in h.Files.ListAsync(new RecordFileQuery { After = after }, ct))
            {
                page.Add(f.Value.FileCode);
                if (page.Count == 2)
                {
                    break;
                }
            }

            paged.AddRange(page);
            if (page.Count < 2)
            {
                break;
            }

            after = page[^1];
        }

        Assert.Equal(6, paged.Distinct().Count());

        var a2017 = await h.Planner.DueForAppraisalAsync(new DateOnly(2017, 12, 31), ArchiveHarness.AgencyId, ct);
        var item = Assert.Single(a2017.Due);
        Assert.Equal(("000.00.00.G09.2010.01.A", 2012, 2017), (item.FileCode, item.ClosingYear, item.DueYear));

        var a2020 = await h.Planner.DueForAppraisalAsync(new DateOnly(2020, 1, 1), ArchiveHarness.AgencyId, ct);
        Assert.Equal(["000.00.00.G09.2010.01.A", "000.00.00.G09.2010.02.B"], a2020.Due.Select(i => i.FileCode));
        Assert.Equal(3, (await h.Planner.DueForAppraisalAsync(new DateOnly(2020, 1, 1), cancellationToken: ct)).Due.Count);

        Assert.Empty((await h.Planner.DueForTransferAsync(new DateOnly(2014, 12, 31), ArchiveHarness.AgencyId, ct)).Due);
        var t = Assert.Single((await h.Planner.DueForTransferAsync(new DateOnly(2015, 1, 1), ArchiveHarness.AgencyId, ct)).Due);
        Assert.Equal(("000.00.00.G09.2011.05.E", 2015), (t.FileCode, t.DueYear));

        // The unfinished file becomes due once it is finished.
        await h.Files.UpdateAsync("000.00.00.G09.2005.03.C", ArchiveHarness.FileInput("03.C", 2005) with { Maintenance = RetentionPeriod.OfYears(5), EndDate = new DateOnly(2006, 2, 1) }, null, u, ct);
        Assert.Contains((await h.Planner.DueForAppraisalAsync(new DateOnly(2011, 1, 1), ArchiveHarness.AgencyId, ct)).Due, i => i.FileCode == "000.00.00.G09.2005.03.C" && i.DueYear == 2011);
    }

    [Fact]
    public void Due_year_helpers()
    {
        var file = new RecordFile
        {
            FileCode = "000.00.00.G09.2010.01.TH",
            OrganId = "000.00.00.G09",
            FileCatalog = 2010,
            FileNotation = "01.TH",
            FondsCode = "P",
            Title = "t",
            Maintenance = RetentionPeriod.OfYears(10),
            EndDate = new DateOnly(2011, 1, 1),
        };
        Assert.Equal(2011, RetentionPlanner.ClosingYear(file));
        Assert.Equal(2021, RetentionPlanner.AppraisalDueYear(file));
        Assert.Null(RetentionPlanner.AppraisalDueYear(file with { Maintenance = RetentionPeriod.Permanent }));
        Assert.Null(RetentionPlanner.AppraisalDueYear(file with { Maintenance = RetentionPeriod.UntilSuperseded }));
        Assert.Equal(2017, RetentionPlanner.TransferDueYear(file with { Maintenance = RetentionPeriod.Permanent }, 1, 5));
        Assert.Equal(2011, RetentionPlanner.TransferDueYear(file with { Maintenance = RetentionPeriod.Permanent }, 0, 0));
        Assert.Null(RetentionPlanner.TransferDueYear(file, 1, 5));
    }
}
