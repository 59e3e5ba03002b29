using System.Diagnostics;
using Archive.Testing.Support;
using Archive.Ocr;
using Archive.Records;
using Archive.Retention;
using Archive.Search;
using Archive.TextExtraction.Tesseract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;
using Xunit;

namespace Archive.TextExtraction.Tesseract.Tests;

/// <summary>The real engine (AddArchive) with OCR registered, in a temporary folder deleted on dispose.</summary>
internal sealed class OcrHarness : IAsyncDisposable
{
    public const string AgencyId = "000.00.00.H49";
    public const string FondsCode = "P-H49";
    public static readonly ArchiveUser User = new("Lê Thị Lan");

    private OcrHarness(string dataPath, ServiceProvider services)
    {
        DataPath = dataPath;
        Services = services;
    }

    public string DataPath { get; }

    public ServiceProvider Services { get; }

    public RecordFileService Files => Services.GetRequiredService<RecordFileService>();

    public OcrService Ocr => Services.GetRequiredService<OcrService>();

    public ISearchIndex Search => Services.GetRequiredService<ISearchIndex>();

    public static async Task<OcrHarness> CreateAsync(Action<IServiceCollection> register)
    {
        var path = Path.Combine(Path.GetTempPath(), "archive-ocr-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = path).AddEmbeddedDefaults();
        register(services);
        var h = new OcrHarness(path, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        var ct = TestContext.Current.CancellationToken;
        await h.Services.GetRequiredService<AgencyRegistry>().CreateAsync(new Agency { Id = AgencyId, Name = "Sở Nội vụ tỉnh Hà Tĩnh" }, User, ct);
        await h.Services.GetRequiredService<FondsRegistry>().CreateAsync(new FondsInput { Code = FondsCode, Name = "Phông Sở Nội vụ", AgencyId = AgencyId }, User, ct);
        return h;
    }

    /// <summary>A record file with one document whose metadata shares no word with the scanned text.</summary>
    public async Task<string> CreateFileWithDocumentAsync(string notation = "01.VP")
    {
        var ct = TestContext.Current.CancellationToken;
        var file = await Files.CreateAsync(new RecordFileInput
        {
            FondsCode = FondsCode,
            FileCatalog = 2024,
            FileNotation = notation,
            Title = "Tài liệu quét thử nghiệm " + notation,
            Maintenance = RetentionPeriod.OfYears(10),
            StartDate = new DateOnly(2024, 1, 5),
            EndDate = new DateOnly(2024, 12, 20),
        }, User, ct);
        var code = file.Stored.Value.FileCode;
        await Files.AddDocumentAsync(code, new DocumentInput
        {
            TypeName = "Tờ trình",
            CodeNumber = "07",
            CodeNotation = "SNV-VP",
            IssuedDate = new DateOnly(2024, 3, 19),
            OrganName = "Sở Nội vụ",
            Subject = "Bản chụp thử nghiệm",
        }, null, User, ct);
        return code;
    }

    public async Task StartWorkerAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until the content no longer waits for OCR (the background worker did its job).</summary>
    public async Task<ContentFile> WaitForOcrAsync(string fileCode, string name, TimeSpan timeout)
    {
        var ct = TestContext.Current.CancellationToken;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var file = await Files.GetAsync(fileCode, ct);
            var content = file!.Value.Documents[0].Contents.Single(c => c.Name == name);
            if (content.TextStatus != TextExtractionStatus.PendingOcr)
            {
                return content;
            }

            Assert.True(watch.Elapsed < timeout, $"OCR did not finish within {timeout}; job status: {Ocr.Status}");
            await Task.Delay(200, ct);
        }
    }

    public async Task<SearchResults> SearchAsync(string query)
        => await Search.SearchAsync(new SearchRequest { Query = query, PageSize = 50, Highlight = true, Consistency = SearchConsistency.ReadYourWrites }, TestContext.Current.CancellationToken);

    /// <summary>The hit of a document for a query, waiting up to 10 s for its text highlights (the index refreshes in the background).</summary>
    public async Task<SearchHit> DocumentHitAsync(string query, string id)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var results = await SearchAsync(query);
            var hit = results.Hits.SingleOrDefault(x => x.Document.Id == id);
            if (hit is not null && (hit.Highlights.Any(x => x.Field == SearchFields.Text) || watch.Elapsed > TimeSpan.FromSeconds(10)))
            {
                return hit;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"'{query}' did not find {id}: {string.Join(", ", results.Hits.Select(x => x.Document.Id))}");
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in Services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await Services.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Scanned test pages: Vietnamese text drawn into a PDF (DejaVu Sans), rasterised with pdftoppm at 300 dpi.</summary>
internal static class ScannedPages
{
    public static bool ToolsPresent(out string reason)
    {
        var missing = new List<string>();
        if (!OnPath("tesseract"))
        {
            missing.Add("tesseract (apt-get install tesseract-ocr)");
        }
        else if (!TesseractHasVietnamese())
        {
            missing.Add("the Tesseract 'vie' model (apt-get install tesseract-ocr-vie)");
        }

        if (!OnPath("pdftoppm"))
        {
            missing.Add("pdftoppm (apt-get install poppler-utils)");
        }

        reason = missing.Count == 0 ? string.Empty : "OCR tools missing: " + string.Join(", ", missing) + "; scripts/test.sh installs them.";
        return missing.Count == 0;
    }

    /// <summary>One PNG (300 dpi, grey) per page of text.</summary>
    public static IReadOnlyList<byte[]> Render(params string[] pages)
    {
        var work = Path.Combine(Path.GetTempPath(), "archive-ocr-render-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var pdf = Path.Combine(work, "text.pdf");
            File.WriteAllBytes(pdf, TestPdf.Create(pages));
            Run("pdftoppm", "-r", "300", "-gray", "-png", pdf, Path.Combine(work, "page"));
            return Directory.GetFiles(work, "page-*.png").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A PDF whose pages are only the images (no text layer), A4.</summary>
    public static byte[] ImageOnlyPdf(IEnumerable<byte[]> pngs)
    {
        var builder = new PdfDocumentBuilder();
        foreach (var png in pngs)
        {
            var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
            page.AddPng(png, new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        }

        return builder.Build();
    }

    private static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

    private static bool TesseractHasVietnamese()
    {
        var (code, output) = Run("tesseract", "--list-langs");
        return code == 0 && output.Split('\n').Any(l => l.Trim() == "vie");
    }

    private static (int Code, string Output) Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException(tool + " did not finish.");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
