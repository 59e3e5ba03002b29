namespace Archive.Records;

/// <summary>
/// Optical character recognition (OCR) of scanned content: image-only PDFs and images (TIFF, JPEG, PNG). The engine
/// runs it in the background for contents whose <see cref="ContentFile.TextStatus"/> is
/// <see cref="TextExtractionStatus.PendingOcr"/>; it never runs during ingest.
/// </summary>
public interface ITextRecognizer
{
    /// <summary>A short name for logs and status (e.g. <c>tesseract</c>).</summary>
    string Name { get; }

    /// <summary>Whether this recognizer reads <paramref name="mediaType"/> (lower case, without parameters).</summary>
    bool CanRecognize(string mediaType);

    /// <summary>
    /// Whether the recognizer's tools and language models are installed. Never throws for a missing tool: the answer
    /// says what is missing and how to install it.
    /// </summary>
    ValueTask<TextRecognizerAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Recognizes the text of each page (1-based order, NFC). <paramref name="content"/> is read to its end and not
    /// disposed. <paramref name="progress"/> receives (pages done, pages in total) as recognition goes on.
    /// </summary>
    /// <exception cref="TextRecognizerUnavailableException">A tool or language model is missing (retrying will not help).</exception>
    ValueTask<IReadOnlyList<string>> RecognizeAsync(Stream content, string mediaType, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Whether a recognizer can run, and if not, why.</summary>
/// <param name="IsAvailable">True when every tool and language model is there.</param>
/// <param name="Problem">What is missing and how to install it, when not available.</param>
public sealed record TextRecognizerAvailability(bool IsAvailable, string? Problem = null)
{
    /// <summary>The recognizer can run.</summary>
    public static TextRecognizerAvailability Available { get; } = new(true);
}

/// <summary>A tool or language model the recognizer needs is not installed; retrying will not help.</summary>
public class TextRecognizerUnavailableException : ArchiveException
{
    /// <summary>Creates the exception.</summary>
    public TextRecognizerUnavailableException() { }

    /// <summary>Creates the exception with what is missing.</summary>
    public TextRecognizerUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with what is missing and the failure that showed it.</summary>
    public TextRecognizerUnavailableException(string message, Exception? innerException) : base(message, innerException) { }
}
