using Archive.Testing.Support;
using Archive.Ocr;
using Archive.Records;
using Archive.Search;
using Archive.TextExtraction.Tesseract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Archive.TextExtraction.Tesseract.Tests;

/// <summary>Scanned Vietnamese pages through the real engine, the background OCR worker and real Tesseract.</summary>
public sealed class TesseractOcrQualityTests
{
    private const string ScannedLine = "Hồ sơ lưu trữ của Sở Nội vụ về công tác văn thư";

    private static void RequireTools()
    {
        var present = ScannedPages.ToolsPresent(out var reason);
        ServerRequirement.Require(present, reason);
    }

    [Fact]
    public async Task A_scanned_png_page_is_found_by_search_with_and_without_diacritics()
    {
        RequireTools();
        var ct = TestContext.Current.CancellationToken;
        await using var h = await OcrHarness.CreateAsync(s => s.AddArchive(_ => { }).AddTesseractOcr(configureJob: j => j.PollInterval = TimeSpan.FromMilliseconds(200)));
        var code = await h.CreateFileWithDocumentAsync();
        var png = ScannedPages.Render(ScannedLine)[0];

        // Ingest does not wait for OCR.
        var stored = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "ban-chup.png", Content = new MemoryStream(png) }, null, OcrHarness.User, ct);
        var uploaded = Assert.Single(stored.Stored.Value.Documents[0].Contents);
        Assert.Equal(("image/png", TextExtractionStatus.PendingOcr, (string?)null), (uploaded.MediaType, uploaded.TextStatus, uploaded.TextPath));
        Assert.Empty((await h.SearchAsync("lưu trữ")).Hits);

        await h.StartWorkerAsync();
        var done = await h.WaitForOcrAsync(code, "ban-chup.png", TimeSpan.FromMinutes(3));
        Assert.Equal(TextExtractionStatus.Recognized, done.TextStatus);
        Assert.NotNull(done.TextPath);
        var pages = await h.Files.GetContentTextAsync(code, 1, "ban-chup.png", cancellationToken: ct);
        Assert.Single(pages!);

        foreach (var query in new[] { "hồ sơ lưu trữ", "ho so luu tru", "văn thư", "van thu" })
        {
            var hit = await h.DocumentHitAsync(query, code + "/1");
            Assert.Contains(hit.Highlights, x => x.Field == SearchFields.Text && x.Page == 1 && x.Fragment.Contains("<em>", StringComparison.Ordinal));
        }

        var status = h.Ocr.Status;
        Assert.True(status.Recognized >= 1, status.ToString());
        Assert.Equal(true, status.Available);
    }

    [Fact]
    public async Task An_image_only_pdf_is_recognized_page_by_page_and_hits_point_to_the_page()
    {
        RequireTools();
        var ct = TestContext.Current.CancellationToken;
        await using var h = await OcrHarness.CreateAsync(s => s.AddArchive(_ => { }).AddTesseractOcr(configureJob: j => j.PollInterval = TimeSpan.FromMilliseconds(200)));
        var code = await h.CreateFileWithDocumentAsync();
        var pdf = ScannedPages.ImageOnlyPdf(ScannedPages.Render("Công văn số 12 về kế hoạch năm 2024", ScannedLine));

        var stored = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "ban-chup.pdf", Content = new MemoryStream(pdf) }, null, OcrHarness.User, ct);
        Assert.Equal(TextExtractionStatus.PendingOcr, Assert.Single(stored.Stored.Value.Documents[0].Contents).TextStatus);

        await h.StartWorkerAsync();
        var done = await h.WaitForOcrAsync(code, "ban-chup.pdf", TimeSpan.FromMinutes(3));
        Assert.Equal(TextExtractionStatus.Recognized, done.TextStatus);
        var pages = await h.Files.GetContentTextAsync(code, 1, "ban-chup.pdf", cancellationToken: ct);
        Assert.Equal(2, pages!.Count);
        var file = await h.Files.GetAsync(code, ct);
        Assert.Equal(2, file!.Value.Documents[0].PageAmount);
        Assert.Equal(RecordFileService.OcrUser.Name, (await h.Files.GetHistoryAsync(code, ct))[^1].UserName);

        foreach (var query in new[] { "hồ sơ lưu trữ", "ho so luu tru" })
        {
            var hit = await h.DocumentHitAsync(query, code + "/1");
            Assert.True(hit.Highlights.Any(x => x.Field == SearchFields.Text && x.Page == 2), "pages: " + string.Join(" | ", pages) + " highlights: " + string.Join(" | ", hit.Highlights));
        }

        var first = await h.DocumentHitAsync("kế hoạch", code + "/1");
        Assert.Contains(first.Highlights, x => x.Field == SearchFields.Text && x.Page == 1);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));
    }
}

/// <summary>The OCR job's behaviour that does not need Tesseract: missing tools, retries, options.</summary>
public sealed class OcrJobTests
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Missing_tesseract_gives_a_clear_terminal_status_and_never_blocks_ingest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await OcrHarness.CreateAsync(s => s.AddArchive(_ => { }).AddTesseractOcr(o => o.TesseractPath = "/nonexistent/bin/tesseract"));
        var code = await h.CreateFileWithDocumentAsync();
        var stored = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.png", Content = new MemoryStream(Png) }, null, OcrHarness.User, ct);
        Assert.Equal(TextExtractionStatus.PendingOcr, stored.Stored.Value.Documents[0].Contents[0].TextStatus);
        Assert.Single(await h.Ocr.ListPendingAsync(ct));

        var pass = await h.Ocr.RunPendingAsync(ct);
        Assert.Equal(1, pass.Unavailable);
        var content = (await h.Files.GetAsync(code, ct))!.Value.Documents[0].Contents[0];
        Assert.Equal(TextExtractionStatus.OcrUnavailable, content.TextStatus);
        Assert.Null(content.TextPath);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));
        var status = h.Ocr.Status;
        Assert.Equal(false, status.Available);
        Assert.Contains("/nonexistent/bin/tesseract", status.Problem, StringComparison.Ordinal);
        Assert.Contains("apt-get install tesseract-ocr tesseract-ocr-vie", status.Problem, StringComparison.Ordinal);
        Assert.Equal(1, status.Unavailable);
        Assert.Equal(OcrJobState.Idle, status.State);

        // The content itself is intact and readable.
        await using var opened = await h.Files.OpenContentAsync(code, 1, "scan.png", cancellationToken: ct);
        Assert.Equal(Png.Length, opened!.File.Length);
    }

    [Fact]
    public async Task A_missing_language_model_is_named()
    {
        var present = ScannedPages.ToolsPresent(out var reason);
        ServerRequirement.Require(present, reason);
        var recognizer = new TesseractTextRecognizer(new TesseractOcrOptions { Languages = { "zzz" } });
        var availability = await recognizer.CheckAvailabilityAsync(TestContext.Current.CancellationToken);
        Assert.False(availability.IsAvailable);
        Assert.Contains("'zzz'", availability.Problem, StringComparison.Ordinal);
        Assert.Contains("vie", availability.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_with_backoff_then_marked_failed()
    {
        var ct = TestContext.Current.CancellationToken;
        var flaky = new ScriptedRecognizer(failures: 2, text: "Biên bản bàn giao tài liệu");
        var broken = new ScriptedRecognizer(failures: int.MaxValue, text: string.Empty, mediaType: "image/tiff");
        await using var h = await OcrHarness.CreateAsync(s =>
        {
            s.AddSingleton<ITextRecognizer>(flaky);
            s.AddSingleton<ITextRecognizer>(broken);
            s.Configure<OcrJobOptions>(o => { o.MaxAttempts = 3; o.RetryDelay = TimeSpan.FromMilliseconds(1); });
        });
        var code = await h.CreateFileWithDocumentAsync();
        await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "a.png", Content = new MemoryStream(Png) }, null, OcrHarness.User, ct);
        await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "b.tif", Content = new MemoryStream([0x49, 0x49, 0x2A, 0x00, 1, 2, 3, 4]) } /* a TIFF signature, nothing behind it */, null, OcrHarness.User, ct);

        var first = await h.Ocr.RunPendingAsync(ct);
        Assert.Equal((0, 2), (first.Recognized, first.Retrying));
        var flags = await h.Ocr.ListPendingAsync(ct);
        Assert.All(flags, f => Assert.Equal(1, f.Attempts));
        Assert.All(flags, f => Assert.NotNull(f.NotBefore));
        Assert.All(flags, f => Assert.Contains("scripted failure", f.LastError, StringComparison.Ordinal));

        await Task.Delay(20, ct);
        var second = await h.Ocr.RunPendingAsync(ct);
        Assert.Equal((0, 2), (second.Recognized, second.Retrying));
        Assert.All(await h.Ocr.ListPendingAsync(ct), f => Assert.Equal(2, f.Attempts));

        await Task.Delay(20, ct);
        var third = await h.Ocr.RunPendingAsync(ct);
        Assert.Equal((1, 1, 0), (third.Recognized, third.Failed, third.Retrying));
        var contents = (await h.Files.GetAsync(code, ct))!.Value.Documents[0].Contents;
        Assert.Equal(TextExtractionStatus.Recognized, contents.Single(c => c.Name == "a.png").TextStatus);
        Assert.Equal(TextExtractionStatus.OcrFailed, contents.Single(c => c.Name == "b.tif").TextStatus);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));
        Assert.Equal(3, flaky.Calls);
        Assert.Equal(3, broken.Calls);

        var hit = await h.DocumentHitAsync("ban giao tai lieu", code + "/1"); // the projection of the recognised text follows in the background
        Assert.Contains(hit.Highlights, x => x.Page == 1);
        Assert.Contains("scripted failure", h.Ocr.Status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_content_replaced_while_waiting_is_not_given_the_old_text_and_a_pdf_with_text_needs_no_ocr()
    {
        var ct = TestContext.Current.CancellationToken;
        var recognizer = new ScriptedRecognizer(failures: 0, text: "Văn bản nhận dạng", mediaType: "application/pdf");
        await using var h = await OcrHarness.CreateAsync(s => s.AddSingleton<ITextRecognizer>(recognizer));
        var code = await h.CreateFileWithDocumentAsync();

        // A born-digital PDF keeps its extracted text; OCR is not asked for.
        var born = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "so.pdf", Content = new MemoryStream(TestPdf.Create("Quyết định phê duyệt")) }, null, OcrHarness.User, ct);
        Assert.Equal(TextExtractionStatus.Extracted, born.Stored.Value.Documents[0].Contents[0].TextStatus);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));

        // An image-only PDF (no text layer) waits for OCR; replaced by a text PDF before the job runs, nothing is recognized.
        await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.pdf", Content = new MemoryStream(ScannedPages.ImageOnlyPdf([Png])) }, null, OcrHarness.User, ct);
        Assert.Equal(TextExtractionStatus.PendingOcr, (await h.Files.GetAsync(code, ct))!.Value.Documents[0].Contents.Single(c => c.Name == "scan.pdf").TextStatus);
        await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.pdf", Content = new MemoryStream(TestPdf.Create("Bản có lớp chữ")) }, null, OcrHarness.User, ct);
        var pass = await h.Ocr.RunPendingAsync(ct);
        Assert.Equal(0, pass.Recognized);
        Assert.Equal(0, recognizer.Calls);
        Assert.Equal(TextExtractionStatus.Extracted, (await h.Files.GetAsync(code, ct))!.Value.Documents[0].Contents.Single(c => c.Name == "scan.pdf").TextStatus);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = Path.GetTempPath()).AddTesseractOcr(o =>
        {
            o.Languages.Add("vie+eng");
            o.ProcessTimeout = TimeSpan.Zero;
            o.MaxConcurrency = 0;
            o.MaxPages = 0;
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<TesseractOcrOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.Contains("Languages: 'vie+eng'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("ProcessTimeout", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("MaxConcurrency", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("MaxPages", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_recognizer_scans_keep_no_text_and_the_job_is_disabled()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = await OcrHarness.CreateAsync(_ => { });
        var code = await h.CreateFileWithDocumentAsync();
        var stored = await h.Files.AddContentAsync(code, 1, new ContentUpload { FileName = "scan.png", Content = new MemoryStream(Png) }, null, OcrHarness.User, ct);
        Assert.Equal(TextExtractionStatus.NotApplicable, stored.Stored.Value.Documents[0].Contents[0].TextStatus);
        Assert.Equal(OcrJobState.Disabled, h.Ocr.Status.State);
        Assert.Empty(await h.Ocr.ListPendingAsync(ct));
    }

    private sealed class ScriptedRecognizer(int failures, string text, string mediaType = "image/png") : ITextRecognizer
    {
        private int _calls;

        public int Calls => _calls;

        public string Name => "scripted";

        public bool CanRecognize(string type) => type == mediaType;

        public ValueTask<TextRecognizerAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromResult(TextRecognizerAvailability.Available);

        public ValueTask<IReadOnlyList<string>> RecognizeAsync(Stream content, string type, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
        {
            content.CopyTo(Stream.Null);
            if (Interlocked.Increment(ref _calls) <= failures)
            {
                throw new InvalidOperationException("scripted failure " + _calls);
            }

            progress?.Report((1, 1));
            return ValueTask.FromResult<IReadOnlyList<string>>([text]);
        }
    }
}
