using System.Diagnostics;
using Xunit;

namespace Archive.Documents.Tests;

/// <summary>
/// Renders the documents to PDF with LibreOffice (when it is installed: Debian packages libreoffice-writer-nogui,
/// libreoffice-calc-nogui; fonts-liberation gives a Times New Roman-compatible face) and checks what a person would
/// print: the title, the totals in words, and the column headings repeated on the second page. Skips, saying why,
/// when LibreOffice is absent.
/// </summary>
public sealed class PdfRenderingTests
{
    [Fact]
    public async Task Catalogue_xlsx_prints_with_headings_repeated_on_every_page()
    {
        var dir = Workspace();
        var xlsx = Path.Combine(dir, "muc-luc-ho-so.xlsx");
        await using (var f = File.Create(xlsx))
        {
            OfficeDocuments.WriteCatalogueXlsx(Samples.Catalogue(), Samples.Entries(125), f);
        }

        var pdf = await ConvertAsync(xlsx, dir);
        var pages = await PdfTextAsync(pdf);
        Assert.True(pages.Count >= 2, $"{pages.Count} page(s)");
        Assert.Contains("MỤC LỤC HỒ SƠ", pages[0], StringComparison.Ordinal);
        Assert.Contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pages[0], StringComparison.Ordinal);
        Assert.Contains("Tiêu đề hồ sơ", pages[1], StringComparison.Ordinal);
        Assert.Contains("Một trăm hai mươi lăm", string.Join("\n", pages), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catalogue_and_handover_record_docx_print()
    {
        var dir = Workspace();
        var docx = Path.Combine(dir, "muc-luc-ho-so.docx");
        var record = Path.Combine(dir, "bien-ban-giao-nhan.docx");
        await using (var f = File.Create(docx))
        {
            OfficeDocuments.WriteCatalogueDocx(Samples.Catalogue(), Samples.Entries(125), f);
        }

        await using (var f = File.Create(record))
        {
            OfficeDocuments.WriteHandoverRecordDocx(RecordDocumentTests.Handover(), f);
        }

        var pages = await PdfTextAsync(await ConvertAsync(docx, dir));
        Assert.True(pages.Count >= 2, $"{pages.Count} page(s)");
        Assert.Contains("Tiêu đề hồ sơ", pages[1], StringComparison.Ordinal);
        Assert.Contains("Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ", string.Join("\n", pages), StringComparison.Ordinal);
        var recordPages = await PdfTextAsync(await ConvertAsync(record, dir));
        var text = string.Join("\n", recordPages);
        Assert.Contains("ĐẠI DIỆN BÊN GIAO", text, StringComparison.Ordinal);
        Assert.Contains("ĐẠI DIỆN BÊN NHẬN", text, StringComparison.Ordinal);
        Assert.Contains("Trang 1", recordPages[0], StringComparison.Ordinal);
    }

    private static string Workspace()
    {
        var dir = Path.Combine(Path.GetTempPath(), "archive-docs-pdf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(p => Path.Combine(p, tool)).FirstOrDefault(File.Exists);

    private static async Task<string> ConvertAsync(string file, string dir)
    {
        var soffice = Find("soffice");
        Assert.SkipWhen(soffice is null, "LibreOffice is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-liberation): the PDF rendering check did not run.");
        var profile = new Uri(Path.Combine(dir, "lo-profile")).AbsoluteUri;
        var (code, output) = await RunAsync(soffice!, $"-env:UserInstallation={profile} --headless --norestore --convert-to pdf --outdir \"{dir}\" \"{file}\"");
        var pdf = Path.ChangeExtension(file, ".pdf");
        Assert.True(code == 0 && File.Exists(pdf), $"soffice exit {code}: {output}");
        return pdf;
    }

    private static async Task<List<string>> PdfTextAsync(string pdf)
    {
        var pdftotext = Find("pdftotext");
        Assert.SkipWhen(pdftotext is null, "pdftotext (poppler-utils) is not installed: the PDF text check did not run.");
        var (code, output) = await RunAsync(pdftotext!, $"-layout \"{pdf}\" -");
        Assert.Equal(0, code);
        return output.Split('\f').Where(p => p.Trim().Length > 0).ToList();
    }

    private static async Task<(int Code, string Output)> RunAsync(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(8)); // LibreOffice starts slowly on a busy 2-core machine
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }

        return (p.ExitCode, await stdout + await stderr);
    }
}
