using System.Text;
using Archive.Audit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>The lists beside the catalogue offline (issue #18 item 4): <c>catalogue export --kind list --file-code …</c> and <c>catalogue documents</c>.</summary>
public sealed partial class CliExchangeTests
{
    [Fact]
    public async Task Catalogue_export_prints_the_file_list_of_a_selection_and_catalogue_documents_the_documents_of_a_file_into_a_new_folder()
    {
        var data = Path.Combine(_root, "agencies");
        var (permanent, other) = await SeedAgenciesAsync(data);

        // The file list of a selection (--file-code repeated) into a file whose folder does not exist yet.
        var list = Path.Combine(_root, "out", "lists", "danh-muc.csv");
        var run = await CliAsync("catalogue", "export", "--fonds", Fonds, "--kind", "list", "--file-code", other, "--file-code", permanent, "--format", "csv", "--out", list, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("Tổng số: 2 (Hai) hồ sơ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Vĩnh viễn: 2 hồ sơ", run.Stdout, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(list, Ct);
        Assert.Equal("Số và ký hiệu hồ sơ,Tên đề mục và tiêu đề hồ sơ,Thời hạn lưu trữ,Đơn vị/người lập hồ sơ,Ghi chú", lines[0]);
        Assert.Equal(["01.VP", "02.VP"], lines[1..].Select(l => l.Split(',')[0]).ToArray());

        // The documents of one record file into a folder (named with a trailing separator, created), named after the list.
        var folder = Path.Combine(_root, "out", "van-ban") + Path.DirectorySeparatorChar;
        var documents = await CliAsync("catalogue", "documents", "--file", permanent, "--format", "docx", "--out", folder, "--user", Clerk, $"--Archive:DataPath={data}");
        Assert.True(documents.Code == 0, documents.ToString());
        Assert.Contains("1 văn bản; 2 trang", documents.Stdout, StringComparison.Ordinal);
        var written = Path.Combine(folder, "muc-luc-van-ban-" + permanent + ".docx");
        Assert.Equal("PK"u8.ToArray(), (await File.ReadAllBytesAsync(written, Ct))[..2]);
        Assert.Empty(Directory.EnumerateFiles(folder, "*.partial"));

        // Refusals name the option: a code that is not in the fonds (exit 3), a kind, a format and a missing file (usage, exit 2; not found, exit 3).
        var unknown = await CliAsync("catalogue", "export", "--fonds", Fonds, "--kind", "list", "--file-code", permanent + "X", "--out", list, $"--Archive:DataPath={data}");
        Assert.True(unknown.Code == 3, unknown.ToString());
        Assert.Contains("--file-code (fileCodes[0])", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("catalogue.selection-unknown", unknown.Stderr, StringComparison.Ordinal);
        var badKind = await CliAsync("catalogue", "export", "--fonds", Fonds, "--kind", "inventory", "--out", list, $"--Archive:DataPath={data}");
        Assert.True(badKind.Code == 2, badKind.ToString());
        Assert.Contains("--kind", badKind.Stderr, StringComparison.Ordinal);
        var badFormat = await CliAsync("catalogue", "documents", "--file", permanent, "--format", "pdf", "--out", folder, $"--Archive:DataPath={data}");
        Assert.True(badFormat.Code == 2, badFormat.ToString());
        Assert.Contains("--format", badFormat.Stderr, StringComparison.Ordinal);
        var missing = await CliAsync("catalogue", "documents", "--file", permanent + "X", "--out", folder, $"--Archive:DataPath={data}");
        Assert.True(missing.Code == 3, missing.ToString());

        await using var engine = Engine(data);
        var audit = await AuditOfAsync(engine, Clerk);
        Assert.Contains(audit, e => e is { Action: AuditActions.Export, ObjectType: "catalogue", ObjectId: Fonds } && e.Detail!.StartsWith("list Csv selection: 2 files", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is { Action: AuditActions.Export, ObjectType: "document-catalogue" } && e.ObjectId == permanent);
    }
}
