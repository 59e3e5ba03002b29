using Archive.Api.Tests.Support;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// <c>Generated/ArchiveClient.g.cs</c> is what NSwag generates from the OpenAPI document the server serves: the
/// end-to-end story (<see cref="ReorganisationStoryEndToEndTests"/>) drives the servers only through it. This test
/// fails when the checked-in client no longer matches the served contract; run it with
/// <c>ARCHIVE_UPDATE_GENERATED_CLIENT=1</c> to regenerate the file (then review the diff).
/// </summary>
public sealed class GeneratedArchiveClientTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public const string RelativePath = "tests/Archive.Api.Tests/Generated/ArchiveClient.g.cs";

    [Fact]
    public async Task The_checked_in_client_is_generated_from_the_served_document()
    {
        var json = await factory.CreateClient().GetStringAsync("/openapi/archive.json", Support.Api.Ct);
        var code = await GenerateAsync(json, Support.Api.Ct);
        var path = Path.Combine(RepositoryRoot(), RelativePath);
        if (Environment.GetEnvironmentVariable("ARCHIVE_UPDATE_GENERATED_CLIENT") == "1")
        {
            await File.WriteAllTextAsync(path, code, Support.Api.Ct);
        }

        var current = File.Exists(path) ? (await File.ReadAllTextAsync(path, Support.Api.Ct)).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(current == code.ReplaceLineEndings("\n"),
            $"{RelativePath} is not what the served OpenAPI document generates. Regenerate it: ARCHIVE_UPDATE_GENERATED_CLIENT=1 dotnet test --project tests/Archive.Api.Tests -- --filter-class '*GeneratedArchiveClientTests*' and review the diff.");
    }

    /// <summary>The C# client NSwag generates from <paramref name="json"/> (System.Text.Json, one class, base URL as a constructor argument).</summary>
    public static async Task<string> GenerateAsync(string json, CancellationToken cancellationToken)
    {
        var document = await OpenApiDocument.FromJsonAsync(json, cancellationToken);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "ArchiveClient",
            GenerateClientInterfaces = false,
            UseBaseUrl = true,
            GenerateBaseUrlProperty = true,
            GenerateExceptionClasses = true,
            ExceptionClass = "ArchiveApiException",
            WrapDtoExceptions = true,
            OperationNameGenerator = new NSwag.CodeGeneration.OperationNameGenerators.SingleClientFromOperationIdOperationNameGenerator(),
        };
        settings.CSharpGeneratorSettings.Namespace = "Archive.Api.Tests.Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        settings.CSharpGeneratorSettings.GenerateNullableReferenceTypes = true;
        settings.CSharpGeneratorSettings.ClassStyle = NJsonSchema.CodeGeneration.CSharp.CSharpClassStyle.Poco;
        settings.CSharpGeneratorSettings.DateType = "System.DateOnly";
        settings.CSharpGeneratorSettings.DateTimeType = "System.DateTimeOffset";
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        return code.ReplaceLineEndings("\n");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Archive.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Archive.sln not found above " + AppContext.BaseDirectory);
    }
}
