using Archive.Audit;
using Archive.Records;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>Physical locations offline (issue #18 item 1): <c>location add-room|move|carrier|box|labels|report</c>.</summary>
public sealed partial class CliExchangeTests
{
    [Fact]
    public async Task Location_verbs_register_rooms_move_files_audited_refuse_by_option_and_rule_and_print_labels_and_the_report()
    {
        var data = Path.Combine(_root, "location");
        var (permanent, other) = await SeedAgenciesAsync(data);
        string DataPath() => $"--Archive:DataPath={data}";

        var room = await CliAsync("location", "add-room", "--code", "TX-K1", "--name", "Kho xã Tam Xuân", "--agency", XaTamXuan, "--user", Clerk, DataPath());
        Assert.True(room.Code == 0, room.ToString());
        var foreign = await CliAsync("location", "add-room", "--code", "NT-K1", "--name", "Kho xã Núi Thành", "--agency", XaNuiThanh, DataPath());
        Assert.True(foreign.Code == 0, foreign.ToString());
        var first = await CliAsync("location", "move", "--file", permanent, "--room", "TX-K1", "--shelf", "2", "--box", "03", "--position", "1", "--user", Clerk, DataPath());
        Assert.True(first.Code == 0, first.ToString());
        Assert.Contains("kho TX-K1, giá 2, khoang -, hộp 3, số thứ tự 1", first.Stdout, StringComparison.Ordinal);
        var second = await CliAsync("location", "move", "--file", other, "--room", "TX-K1", "--shelf", "2", "--box", "3", "--position", "2", "--user", Clerk, DataPath());
        Assert.True(second.Code == 0, second.ToString());

        // Another agency's room, a zero position: refused (exit 3) naming the option and the rule; a missing --box is a usage error.
        var custody = await CliAsync("location", "move", "--file", permanent, "--room", "NT-K1", "--box", "1", DataPath());
        Assert.True(custody.Code == 3, custody.ToString());
        Assert.Contains("--room (roomCode)", custody.Stderr, StringComparison.Ordinal);
        Assert.Contains("location.room-custody", custody.Stderr, StringComparison.Ordinal);
        var zero = await CliAsync("location", "move", "--file", permanent, "--room", "TX-K1", "--box", "1", "--position", "0", DataPath());
        Assert.True(zero.Code == 3, zero.ToString());
        Assert.Contains("--position (positionInBox)", zero.Stderr, StringComparison.Ordinal);
        var usage = await CliAsync("location", "move", "--file", permanent, "--room", "TX-K1", DataPath());
        Assert.True(usage.Code == 2, usage.ToString());
        Assert.Contains("--box", usage.Stderr, StringComparison.Ordinal);

        var box = await CliAsync("location", "box", "--room", "TX-K1", "--box", "3", DataPath());
        Assert.True(box.Code == 0, box.ToString());
        Assert.Contains("Hộp 3: 2 hồ sơ", box.Stdout, StringComparison.Ordinal);
        Assert.True(box.Stdout.IndexOf(permanent, StringComparison.Ordinal) < box.Stdout.IndexOf(other, StringComparison.Ordinal), box.Stdout);

        var folder = Path.Combine(_root, "out", "kho") + Path.DirectorySeparatorChar;
        var labels = await CliAsync("location", "labels", "--room", "TX-K1", "--out", folder, "--user", Clerk, DataPath());
        Assert.True(labels.Code == 0, labels.ToString());
        using (var word = WordprocessingDocument.Open(Path.Combine(folder, "nhan-hop-TX-K1.docx"), false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(word, Ct));
            Assert.Contains("Từ hồ sơ số: 01.VP đến hồ sơ số: 02.VP", word.MainDocumentPart!.Document!.InnerText, StringComparison.Ordinal);
        }

        var reportPath = Path.Combine(_root, "out", "bao-cao.xlsx");
        var report = await CliAsync("location", "report", "--room", "TX-K1", "--out", reportPath, "--user", Clerk, DataPath());
        Assert.True(report.Code == 0, report.ToString());
        Assert.Contains("2 hồ sơ trong 1 hộp", report.Stdout, StringComparison.Ordinal);
        using (var book = SpreadsheetDocument.Open(reportPath, false))
        {
            Assert.Empty(new OpenXmlValidator().Validate(book, Ct));
        }

        await using var engine = Engine(data);
        Assert.Equal("3", (await engine.GetRequiredService<RecordFileService>().GetAsync(permanent, Ct))!.Value.Location!.BoxNumber);
        var audit = await AuditOfAsync(engine, Clerk);
        Assert.Contains(audit, e => e is { Action: AuditActions.Change, ObjectType: "record-file" } && e.ObjectId == permanent
            && e.Detail!.EndsWith($"Move record file {permanent} from (no location) to room TX-K1, shelf 2, box 3, position 1", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is { Action: AuditActions.Export, ObjectType: "storage-room", ObjectId: "TX-K1" } && e.Detail!.StartsWith("box labels: 1 boxes, 2 files", StringComparison.Ordinal));
    }
}
