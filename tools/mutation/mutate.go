package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// Mutant is one small change to one file: a comparison flipped, a
// condition negated, && and || swapped, a status, state or code constant
// swapped, a boolean literal flipped, or a return, call or field
// assignment dropped. Mutants are numbered by where their site comes in a
// walk of the file, so that the same source always yields the same ones.
type Mutant struct {
	File string `json:"file"` // slash-separated, relative to the root
	Line int    `json:"line"`
	Func string `json:"func"`
	Op   string `json:"op"`   // what was changed, e.g. "== → !="
	Orig string `json:"orig"` // the source that was changed, on one line
	// Nth tells apart mutants that are alike in all of the above (the same
	// line twice in a function): 2 for the second, and so on.
	Nth  int `json:"nth,omitempty"`
	site int
	alt  int // which variant of the site
}

// Key names a mutant independently of line numbers, for the list of
// equivalent mutants.
func (m Mutant) Key() string {
	k := m.File + " | " + m.Func + " | " + m.Op + " | " + m.Orig
	if m.Nth > 1 {
		k += fmt.Sprintf(" | #%d", m.Nth)
	}
	return k
}

func (m Mutant) String() string {
	return fmt.Sprintf("%s:%d (%s): %s in `%s`", m.File, m.Line, m.Func, m.Op, m.Orig)
}

// constGroups are constants a mutant swaps for another of its group.
var constGroups = [][]string{
	{"BindingCreating", "BindingActive", "BindingFailed"},
	{"EnhancedActive", "EnhancedDeleted"},
	{"StateCreating", "StateActive", "StateFailed", "StateDeleted"},
	{"ActionGrant", "ActionRevoke", "ActionUpdate"},
	{"StatusOK", "StatusCreated", "StatusBadRequest", "StatusNotFound", "StatusUnauthorized", "StatusRequestEntityTooLarge",
		"StatusTooManyRequests", "StatusInternalServerError"},
	{"CodeBadParameter", "CodeNotExist", "CodeAlreadyExists", "CodeNotSupported", "CodeSystemError",
		"CodeGatewayAuth", "CodeGatewayNoAPI", "CodeThrottled"},
}

var negated = map[token.Token]token.Token{
	token.EQL: token.NEQ, token.NEQ: token.EQL,
	token.LSS: token.GEQ, token.GEQ: token.LSS,
	token.GTR: token.LEQ, token.LEQ: token.GTR,
}

var boundary = map[token.Token]token.Token{
	token.LSS: token.LEQ, token.LEQ: token.LSS,
	token.GTR: token.GEQ, token.GEQ: token.GTR,
}

// site is a place in a file where mutants apply; alts are its variants.
type site struct {
	pos  token.Pos
	alts []variant
}

type variant struct {
	op    string
	apply func()
}

// sites walks f and lists its mutation sites in a fixed order.
func sites(fset *token.FileSet, f *ast.File) []site {
	bodies := map[*ast.BlockStmt]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			bodies[x.Body] = true
		case *ast.FuncLit:
			bodies[x.Body] = true
		}
		return true
	})
	var out []site
	stmts := func(list *[]ast.Stmt, funcBody bool) {
		for i, s := range *list {
			i := i
			drop := variant{apply: func() { *list = append((*list)[:i:i], (*list)[i+1:]...) }}
			switch x := s.(type) {
			case *ast.ReturnStmt:
				if funcBody && i == len(*list)-1 {
					continue // a function's last return: dropping it never compiles
				}
				drop.op = "drop return"
			case *ast.ExprStmt:
				call, ok := x.X.(*ast.CallExpr)
				if !ok {
					continue
				}
				drop.op = "drop call " + exprString(fset, call.Fun)
			case *ast.AssignStmt:
				if x.Tok != token.ASSIGN || !writesState(x) {
					continue
				}
				drop.op = "drop assignment"
			default:
				continue
			}
			out = append(out, site{pos: s.Pos(), alts: []variant{drop}})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BlockStmt:
			stmts(&x.List, bodies[x])
		case *ast.CaseClause:
			stmts(&x.Body, false)
		case *ast.IfStmt:
			cond := x.Cond
			out = append(out, site{pos: x.Cond.Pos(), alts: []variant{{op: "negate if", apply: func() {
				x.Cond = &ast.UnaryExpr{Op: token.NOT, X: &ast.ParenExpr{X: cond}}
			}}}})
		case *ast.BinaryExpr:
			var alts []variant
			orig := x.Op
			if to, ok := negated[orig]; ok {
				alts = append(alts, variant{op: orig.String() + " → " + to.String(), apply: func() { x.Op = to }})
			}
			if to, ok := boundary[orig]; ok {
				alts = append(alts, variant{op: orig.String() + " → " + to.String(), apply: func() { x.Op = to }})
			}
			switch orig {
			case token.LAND:
				alts = append(alts, variant{op: "&& → ||", apply: func() { x.Op = token.LOR }})
			case token.LOR:
				alts = append(alts, variant{op: "|| → &&", apply: func() { x.Op = token.LAND }})
			}
			if len(alts) > 0 {
				out = append(out, site{pos: x.OpPos, alts: alts})
			}
		case *ast.SelectorExpr:
			for _, g := range constGroups {
				for i, name := range g {
					if x.Sel.Name == name {
						to := g[(i+1)%len(g)]
						out = append(out, site{pos: x.Sel.Pos(), alts: []variant{{op: name + " → " + to, apply: func() {
							x.Sel = ast.NewIdent(to)
						}}}})
					}
				}
			}
		case *ast.Ident:
			if x.Name == "true" || x.Name == "false" {
				to := map[string]string{"true": "false", "false": "true"}[x.Name]
				out = append(out, site{pos: x.Pos(), alts: []variant{{op: x.Name + " → " + to, apply: func() { x.Name = to }}}})
			}
		}
		return true
	})
	return out
}

// writesState reports whether an assignment writes through a selector or
// an index (a field, a map entry): dropping a plain variable's assignment
// mostly fails to compile or changes nothing.
func writesState(a *ast.AssignStmt) bool {
	for _, l := range a.Lhs {
		switch l.(type) {
		case *ast.SelectorExpr, *ast.IndexExpr:
		default:
			return false
		}
	}
	return true
}

func exprString(fset *token.FileSet, e ast.Node) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, e)
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// enclosing names the function around pos.
func enclosing(f *ast.File, pos token.Pos) string {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || pos < fd.Pos() || pos > fd.End() {
			continue
		}
		if fd.Recv != nil && len(fd.Recv.List) > 0 {
			return "(" + exprString(token.NewFileSet(), fd.Recv.List[0].Type) + ")." + fd.Name.Name
		}
		return fd.Name.Name
	}
	return "(package)"
}

// sourceLine is the trimmed source line at pos.
func sourceLine(src []byte, fset *token.FileSet, pos token.Pos) string {
	lines := bytes.Split(src, []byte("\n"))
	l := fset.Position(pos).Line
	if l < 1 || l > len(lines) {
		return ""
	}
	s := strings.Join(strings.Fields(string(lines[l-1])), " ")
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// Enumerate lists the mutants of the files (slash-separated, relative to
// root).
func Enumerate(root string, files []string) ([]Mutant, error) {
	var out []Mutant
	seen := map[string]int{}
	for _, file := range files {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file))) //nolint:gosec // a file the user named to mutate
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for i, s := range sites(fset, f) {
			for j, v := range s.alts {
				m := Mutant{File: file, Line: fset.Position(s.pos).Line, Func: enclosing(f, s.pos), Op: v.op,
					Orig: sourceLine(src, fset, s.pos), site: i, alt: j}
				seen[m.Key()]++
				if n := seen[m.Key()]; n > 1 {
					m.Nth = n
				}
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// Apply returns the source of m's file with m applied.
func (m Mutant) Apply(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, m.File, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	ss := sites(fset, f)
	if m.site >= len(ss) || m.alt >= len(ss[m.site].alts) {
		return nil, fmt.Errorf("%s: the file changed since the mutants were listed", m)
	}
	ss[m.site].alts[m.alt].apply()
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
