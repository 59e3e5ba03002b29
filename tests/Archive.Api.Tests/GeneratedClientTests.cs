using System.Reflection;
using System.Runtime.Loader;
using Archive.Api.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;
using Xunit;

namespace Archive.Api.Tests;

/// <summary>
/// The published contract is usable: a C# client is generated from the served OpenAPI document with NSwag (a real
/// generator), compiled in memory with Roslyn, and used for a round trip against the server.
/// </summary>
public sealed class GeneratedClientTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_client_generated_from_the_OpenAPI_document_makes_a_round_trip()
    {
        var http = factory.CreateClient();
        var json = await http.GetStringAsync("/openapi/archive.json", Support.Api.Ct);
        var document = await OpenApiDocument.FromJsonAsync(json, Support.Api.Ct);
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "ArchiveClient",
            GenerateClientInterfaces = false,
            UseBaseUrl = false,
            GenerateExceptionClasses = true,
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated.Archive";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        var code = new CSharpClientGenerator(document, settings).GenerateFile();
        Assert.Contains("CreateAgencyAsync", code, StringComparison.Ordinal);
        Assert.Contains("UploadContentAsync", code, StringComparison.Ordinal);

        var assembly = Compile(code);
        var clientType = assembly.GetType("Generated.Archive.ArchiveClient", throwOnError: true)!;
        var client = Activator.CreateInstance(clientType, http)!;

        // Round trip 1: create an agency through the generated client, read it back.
        var agencyId = Support.Api.NewAgencyId();
        var request = Activator.CreateInstance(assembly.GetType("Generated.Archive.CreateAgencyRequest", throwOnError: true)!)!;
        Set(request, "Id", agencyId);
        Set(request, "Name", "Ủy ban nhân dân xã Lũng Cú");
        var created = await InvokeAsync(client, "CreateAgencyAsync", request);
        Assert.Equal(agencyId, Get(created, "Id"));
        Assert.Equal(1, Get(created, "Version"));

        var read = await InvokeAsync(client, "GetAgencyAsync", agencyId);
        Assert.Equal("Ủy ban nhân dân xã Lũng Cú", Get(read, "Name"));

        // A refused request surfaces as the generated exception type with the HTTP status.
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => InvokeAsync(client, "CreateAgencyAsync", request));
        Assert.Equal("ApiException", ex.GetType().Name.Split('`')[0]);
        Assert.Equal(409, ex.GetType().GetProperty("StatusCode")!.GetValue(ex));
    }

    private static Assembly Compile(string code)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "GeneratedArchiveClient",
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, "The generated client does not compile:\n" + string.Join("\n", errors));
        pe.Position = 0;
        return new AssemblyLoadContext("generated-client", isCollectible: true).LoadFromStream(pe);
    }

    private static async Task<object?> InvokeAsync(object client, string method, params object[] args)
    {
        var candidates = client.GetType().GetMethods().Where(m => m.Name == method).ToList();
        var m = candidates.FirstOrDefault(c => c.GetParameters().Length == args.Length + 1 && c.GetParameters()[^1].ParameterType == typeof(CancellationToken))
            ?? candidates.First(c => c.GetParameters().Length == args.Length);
        var callArgs = m.GetParameters().Length == args.Length ? args : [.. args, Support.Api.Ct];
        var task = (Task)m.Invoke(client, callArgs)!;
        try
        {
            await task;
        }
        catch (Exception)
        {
            throw;
        }

        return task.GetType().GetProperty("Result")?.GetValue(task);
    }

    private static void Set(object target, string property, object? value) => target.GetType().GetProperty(property)!.SetValue(target, value);

    private static object? Get(object? target, string property) => target!.GetType().GetProperty(property)!.GetValue(target);
}
