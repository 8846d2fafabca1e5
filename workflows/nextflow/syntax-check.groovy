// Syntax check of the Nextflow files with plain Groovy (Nextflow itself cannot be installed
// on our machines). Parses each file to Groovy's CONVERSION phase: catches syntax errors
// only, not Nextflow semantics (unknown directives, channel types, process wiring).
//   groovy workflows/nextflow/syntax-check.groovy FILE...
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.Phases

int bad = 0
args.each { f ->
    try {
        def unit = new CompilationUnit()
        unit.addSource(new File(f))
        unit.compile(Phases.CONVERSION)
        println "   parsed: $f"
    } catch (e) {
        bad++
        println "   SYNTAX ERROR: $f\n$e"
    }
}
System.exit(bad ? 1 : 0)
