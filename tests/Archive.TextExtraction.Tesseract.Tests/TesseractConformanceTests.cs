using Archive.Records;
using Archive.Testing.DependencyInjection;
using Archive.Testing.Recognition;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.TextExtraction.Tesseract.Tests;

/// <summary>The shared text recognizer contract against real Tesseract (skips visibly without it; fails under CI=true).</summary>
public sealed class TesseractTextRecognizerConformanceTests : TextRecognizerConformanceTests
{
    protected override ITextRecognizer CreateRecognizer() => new TesseractTextRecognizer(new TesseractOcrOptions());

    protected override async ValueTask RequireToolsAsync(ITextRecognizer recognizer)
    {
        // pdftoppm renders the test scans as well as the recognizer's PDF pages.
        ServerRequirement.Require(ScannedPages.ToolsPresent(out var reason), reason);
        await base.RequireToolsAsync(recognizer);
    }

    protected override ValueTask<(byte[] Content, string MediaType)?> ScanAsync(string text)
        => ValueTask.FromResult<(byte[], string)?>((ScannedPages.Render(text)[0], "image/png"));
}

/// <summary>The shared registration contract for <c>AddTesseractOcr</c> (recognizers are a collection contract).</summary>
public sealed class TesseractRegistrationConformanceTests : RegistrationConformanceTests<ITextRecognizer, TesseractTextRecognizer>
{
    protected override bool IsCollectionContract => true;

    protected override IArchiveBuilder AddArchive(IServiceCollection services) => services.AddArchive(o => o.DataPath = DataPath);

    protected override void AddProvider(IArchiveBuilder builder) => builder.AddTesseractOcr();

    protected override string AddProviderWithInvalidOption(IArchiveBuilder builder)
    {
        builder.AddTesseractOcr(o => o.MaxPages = 0);
        return "TesseractOcrOptions.MaxPages";
    }
}

public sealed class SuiteCoverageTests
{
    [Theory]
    [InlineData(SuiteCoverage.Recognition)]
    [InlineData(SuiteCoverage.DependencyInjection)]
    public void Every_conformance_suite_is_run(string suites) =>
        SuiteCoverage.AssertEverySuiteImplemented(typeof(SuiteCoverageTests).Assembly, suites);
}
