using System.Globalization;
using System.Text;
using Archive.Records;
using Archive.Testing.Support;
using Xunit;

namespace Archive.Testing.Recognition;

/// <summary>
/// The contract of <see cref="ITextRecognizer"/>, run against every recognizer: Vietnamese text is read from a scanned
/// page (an image and a PDF page), one NFC string per page with progress reported; cancellation stops it; a media type
/// it does not read is refused before anything is read; empty content yields an error or no text, never invented text.
/// </summary>
/// <remarks>
/// Recognizers that depend on installed tools are "server-backed": the tests that need the tools call
/// <see cref="RequireToolsAsync"/>, which skips with the recognizer's own reason when they are missing locally and fails
/// under <c>CI=true</c> (see <see cref="ServerRequirement"/>).
/// </remarks>
public abstract class TextRecognizerConformanceTests
{
    /// <summary>The first scanned line (Vietnamese, with diacritics).</summary>
    protected const string FirstLine = "Hồ sơ lưu trữ của Sở Nội vụ về công tác văn thư";

    /// <summary>The second scanned line.</summary>
    protected const string SecondLine = "Quyết định phê duyệt danh mục tài liệu hết giá trị";

    /// <summary>Creates the recognizer under test.</summary>
    protected abstract ITextRecognizer CreateRecognizer();

    /// <summary>
    /// A scanned image of <paramref name="text"/> (one page, at least 200 dpi) and its media type, e.g. a PNG rendered
    /// from <see cref="TestPdf.Create"/>; <see langword="null"/> when the recognizer reads no image type (the test skips).
    /// </summary>
    protected abstract ValueTask<(byte[] Content, string MediaType)?> ScanAsync(string text);

    /// <summary>Whether the recognizer reads PDF pages (<c>application/pdf</c>). Default true.</summary>
    protected virtual bool ReadsPdf => true;

    /// <summary>Whether the recognizer needs tools that CI installs (then a missing tool fails under <c>CI=true</c>). Default true.</summary>
    protected virtual bool ToolsRequiredInCi => true;

    /// <summary>
    /// Skips (locally) or fails (in CI) unless the recognizer can run; by default asks
    /// <see cref="ITextRecognizer.CheckAvailabilityAsync"/>.
    /// </summary>
    protected virtual async ValueTask RequireToolsAsync(ITextRecognizer recognizer)
    {
        ArgumentNullException.ThrowIfNull(recognizer);
        var availability = await recognizer.CheckAvailabilityAsync(Ct);
        ServerRequirement.Require(availability.IsAvailable, $"{recognizer.Name} cannot run: {availability.Problem}", ToolsRequiredInCi);
    }

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Lower case without diacritics (đ → d), whitespace collapsed: OCR output compared loosely.</summary>
    protected static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var decomposed = text.ToLowerInvariant().Replace('đ', 'd').Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            sb.Append(char.IsWhiteSpace(c) ? ' ' : c);
        }

        return string.Join(' ', sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AssertReads(string page, string line)
    {
        Assert.True(page.IsNormalized(NormalizationForm.FormC), "Recognized text must be NFC.");
        var folded = Fold(page);
        foreach (var words in new[] { "ho so luu tru", "van thu" }.Where(w => Fold(line).Contains(w, StringComparison.Ordinal)))
        {
            Assert.Contains(words, folded, StringComparison.Ordinal);
        }

        // The diacritics are recognized, not dropped: the page holds Vietnamese letters beyond ASCII.
        Assert.Contains(page, c => c > 0x7F && char.IsLetter(c));
    }

    // ---------------------------------------------------------------- identity

    /// <summary>The recognizer has a name and declares what it reads.</summary>
    [Fact]
    public void Name_and_media_types_are_declared()
    {
        var recognizer = CreateRecognizer();
        Assert.False(string.IsNullOrWhiteSpace(recognizer.Name));
        Assert.False(recognizer.CanRecognize("text/plain"));
        Assert.False(recognizer.CanRecognize("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
        Assert.Equal(ReadsPdf, recognizer.CanRecognize("application/pdf"));
    }

    /// <summary>Availability is answered, never thrown; when not available it says what is missing.</summary>
    [Fact]
    public async Task Availability_is_answered_with_a_reason()
    {
        var availability = await CreateRecognizer().CheckAvailabilityAsync(Ct);
        Assert.True(availability.IsAvailable || !string.IsNullOrWhiteSpace(availability.Problem), "An unavailable recognizer must say what is missing.");
    }

    // ---------------------------------------------------------------- recognition

    /// <summary>Vietnamese text is read from a scanned image, with its diacritics.</summary>
    [Fact]
    public async Task Vietnamese_text_is_read_from_a_scanned_image()
    {
        var recognizer = CreateRecognizer();
        await RequireToolsAsync(recognizer);
        var scan = await ScanAsync(FirstLine);
        if (scan is null)
        {
            Assert.Skip($"{recognizer.Name} reads no image type.");
        }

        Assert.True(recognizer.CanRecognize(scan.Value.MediaType), $"{recognizer.Name} must read {scan.Value.MediaType}.");
        using var content = new MemoryStream(scan.Value.Content, writable: false);
        var pages = await recognizer.RecognizeAsync(content, scan.Value.MediaType, cancellationToken: Ct);
        var page = Assert.Single(pages);
        AssertReads(page, FirstLine);
    }

    /// <summary>A PDF is read page by page, in order, with progress ending at (total, total).</summary>
    [Fact]
    public async Task Pdf_pages_are_read_in_order_with_progress()
    {
        var recognizer = CreateRecognizer();
        if (!ReadsPdf)
        {
            Assert.Skip($"{recognizer.Name} does not read PDF.");
        }

        await RequireToolsAsync(recognizer);
        var reports = new List<(int Done, int Total)>();
        var progress = new SynchronousProgress(reports);
        using var content = new MemoryStream(TestPdf.Create(FirstLine, SecondLine), writable: false);
        var pages = await recognizer.RecognizeAsync(content, "application/pdf", progress, Ct);

        Assert.Equal(2, pages.Count);
        AssertReads(pages[0], FirstLine);
        Assert.Contains("danh muc tai lieu", Fold(pages[1]), StringComparison.Ordinal);
        Assert.DoesNotContain("van thu", Fold(pages[1]), StringComparison.Ordinal);
        lock (reports)
        {
            Assert.NotEmpty(reports);
            Assert.Equal((2, 2), reports.MaxBy(r => r.Done));
        }
    }

    /// <summary>A cancelled token stops recognition with <see cref="OperationCanceledException"/>.</summary>
    [Fact]
    public async Task Cancellation_stops_recognition()
    {
        var recognizer = CreateRecognizer();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var content = new MemoryStream(TestPdf.Create(FirstLine), writable: false);
        var mediaType = ReadsPdf ? "application/pdf" : (await ScanAsync(FirstLine))?.MediaType ?? "image/png";
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await recognizer.RecognizeAsync(content, mediaType, cancellationToken: cancelled.Token));
    }

    /// <summary>Cancelling while a multi-page PDF is being read stops it too.</summary>
    [Fact]
    public async Task Cancellation_during_recognition_stops_it()
    {
        var recognizer = CreateRecognizer();
        if (!ReadsPdf)
        {
            Assert.Skip($"{recognizer.Name} does not read PDF.");
        }

        await RequireToolsAsync(recognizer);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new CancelOnFirstPage(cts);
        using var content = new MemoryStream(TestPdf.Create(FirstLine, SecondLine, FirstLine, SecondLine), writable: false);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await recognizer.RecognizeAsync(content, "application/pdf", progress, cts.Token));
    }

    /// <summary>A media type the recognizer does not read is refused before the content is read.</summary>
    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/zip")]
    public async Task Unsupported_media_type_is_refused_before_reading(string mediaType)
    {
        var recognizer = CreateRecognizer();
        Assert.False(recognizer.CanRecognize(mediaType));
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("Hồ sơ lưu trữ"), writable: false);
        var error = await Record.ExceptionAsync(async () => await recognizer.RecognizeAsync(content, mediaType, cancellationToken: Ct));
        Assert.True(error is NotSupportedException or ArgumentException, $"Expected NotSupportedException or ArgumentException, got {error?.GetType().Name ?? "no exception"}.");
        Assert.Equal(0, content.Position);
    }

    /// <summary>Empty content yields an error or pages without text, never invented text.</summary>
    [Fact]
    public async Task Empty_content_yields_no_text()
    {
        var recognizer = CreateRecognizer();
        await RequireToolsAsync(recognizer);
        var mediaType = (await ScanAsync(FirstLine))?.MediaType ?? "application/pdf";
        using var content = new MemoryStream([], writable: false);
        IReadOnlyList<string>? pages = null;
        var error = await Record.ExceptionAsync(async () => pages = await recognizer.RecognizeAsync(content, mediaType, cancellationToken: Ct));
        if (error is null)
        {
            Assert.All(pages!, p => Assert.True(string.IsNullOrWhiteSpace(p), $"Empty content gave text: '{p}'."));
        }
        else
        {
            Assert.False(error is TextRecognizerUnavailableException, "Empty content is not a missing tool: " + error.Message);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }

    /// <summary>Collects progress reports on the reporting thread (not posted to a synchronization context).</summary>
    private sealed class SynchronousProgress(List<(int Done, int Total)> reports) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }

    /// <summary>Cancels as soon as recognition starts.</summary>
    private sealed class CancelOnFirstPage(CancellationTokenSource cts) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => cts.Cancel();
    }
}
