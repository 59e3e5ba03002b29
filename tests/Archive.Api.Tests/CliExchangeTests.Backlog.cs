using System.Text.Json.Nodes;
using Archive.Audit;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>The backlog register and the statistics offline (issue #18 items 3 and 2): <c>backlog register|list|status|link</c>, <c>statistics report</c>.</summary>
public sealed partial class CliExchangeTests
{
    [Fact]
    public async Task Backlog_verbs_register_process_and_link_a_batch_and_statistics_report_counts_it_with_refusals_naming_the_option()
    {
        var data = Path.Combine(_root, "backlog");
        var (permanent, other) = await SeedAgenciesAsync(data);
        string[] D = ["--user", Clerk, $"--Archive:DataPath={data}"];

        // Refusals: a negative volume names the option (exit 3, nothing stored), an unreadable number is a usage error (exit 2).
        var negative = await CliAsync(["backlog", "register", "--agency", XaTamXuan, "--source", "Văn phòng UBND xã", "--from-year", "2001", "--to-year", "2010", "--metres", "-2", .. D]);
        Assert.True(negative.Code == 3, negative.ToString());
        Assert.Contains("--metres (shelfMetres)", negative.Stderr, StringComparison.Ordinal);
        Assert.Contains("backlog.negative", negative.Stderr, StringComparison.Ordinal);
        var unreadable = await CliAsync(["backlog", "register", "--agency", XaTamXuan, "--source", "x", "--from-year", "2001", "--to-year", "2010", "--boxes", "many", .. D]);
        Assert.True(unreadable.Code == 2, unreadable.ToString());
        Assert.Contains("--boxes", unreadable.Stderr, StringComparison.Ordinal);
        var none = await CliAsync(["backlog", "list", .. D]);
        Assert.True(none.Code == 0 && none.Stdout.Trim().Length == 0, none.ToString());

        var registered = await CliAsync(["backlog", "register", "--id", "BL-TX-01", "--agency", XaTamXuan, "--fonds", Fonds, "--source", "Văn phòng UBND xã Tam Xuân", "--from-year", "2001", "--to-year", "2010",
            "--metres", "6.5", "--boxes", "52", "--bundles", "3", "--condition", "Damaged", "--location", "Kho xã, giá 2", .. D]);
        Assert.True(registered.Code == 0, registered.ToString());
        Assert.Equal("BL-TX-01", registered.Stdout.Trim());

        var started = await CliAsync(["backlog", "status", "--batch", "BL-TX-01", "--status", "InProgress", "--processed-metres", "2", "--note", "Bắt đầu chỉnh lý", .. D]);
        Assert.True(started.Code == 0, started.ToString());
        Assert.StartsWith("BL-TX-01\tInProgress\t2/6.5 m\tv2", started.Stdout, StringComparison.Ordinal);
        var backward = await CliAsync(["backlog", "status", "--batch", "BL-TX-01", "--status", "NotProcessed", .. D]);
        Assert.True(backward.Code == 3, backward.ToString());
        Assert.Contains("--status (status)", backward.Stderr, StringComparison.Ordinal);
        Assert.Contains("backlog.status-backward", backward.Stderr, StringComparison.Ordinal);

        var linked = await CliAsync(["backlog", "link", "--batch", "BL-TX-01", "--files", permanent + "," + other, .. D]);
        Assert.True(linked.Code == 0, linked.ToString());
        Assert.StartsWith("BL-TX-01\t2 files\tv3", linked.Stdout, StringComparison.Ordinal);
        var missing = await CliAsync(["backlog", "link", "--batch", "BL-TX-01", "--files", permanent + "X", .. D]);
        Assert.True(missing.Code == 3, missing.ToString());
        Assert.Contains("--files (fileCodes[0])", missing.Stderr, StringComparison.Ordinal);

        var list = await CliAsync(["backlog", "list", "--status", "InProgress", .. D]);
        Assert.True(list.Code == 0, list.ToString());
        Assert.Equal($"BL-TX-01\t{XaTamXuan}\t{Fonds}\t2001-2010\tInProgress\t2/6.5 m\t52 boxes\tKho xã, giá 2\t2 files", list.Stdout.Trim());

        // Statistics: JSON on stdout, the XLSX report with --out; bad filters are usage errors naming the option.
        var report = Path.Combine(_root, "out", "thong-ke.xlsx");
        var statistics = await CliAsync(["statistics", "report", "--fonds", Fonds, "--out", report, .. D]);
        Assert.True(statistics.Code == 0, statistics.ToString());
        var json = JsonNode.Parse(statistics.Stdout)!;
        Assert.Equal(2, (long)json["totals"]!["files"]!);
        Assert.Equal((1, 4.5m, 2L), ((int)json["backlog"]!["batches"]!, (decimal)json["backlog"]!["remainingMetres"]!, (long)json["backlog"]!["filesProduced"]!));
        using (var book = SpreadsheetDocument.Open(report, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
        }

        var badDate = await CliAsync(["statistics", "report", "--from", "01/01/2020", .. D]);
        Assert.True(badDate.Code == 2, badDate.ToString());
        Assert.Contains("--from", badDate.Stderr, StringComparison.Ordinal);
        var badPeriod = await CliAsync(["statistics", "report", "--from", "2020-01-01", "--to", "2019-01-01", .. D]);
        Assert.True(badPeriod.Code == 3, badPeriod.ToString());
        Assert.Contains("--to (to)", badPeriod.Stderr, StringComparison.Ordinal);

        // Every change is a version audited under the CLI user.
        await using var engine = Engine(data);
        var audit = await AuditOfAsync(engine, Clerk);
        Assert.Equal(3, audit.Count(e => e is { Action: AuditActions.Change, ObjectId: "BL-TX-01" }));
        Assert.Contains(audit, e => e is { Action: AuditActions.Export, ObjectType: "statistics", ObjectId: Fonds } && e.Detail == "report: 2 files, offline");
    }
}
