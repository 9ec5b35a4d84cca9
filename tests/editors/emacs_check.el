;;; emacs_check.el --- the README's eglot configuration against streamlit-lsp, in batch -*- lexical-binding: t -*-

;; Loaded after the README's Emacs block, with the current directory a copy of
;; examples/bookshop (see test_emacs.py). Prints one "PASS ..." or "FAIL ...: why" line
;; per check, then "N passed, M failed", and exits 0 only when every check passed.

(require 'eglot)
(require 'flymake)
(require 'xref)
(require 'subr-x)

(defvar check-passed 0)
(defvar check-failed 0)

(defun check-say (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n")))

(defun check (name ok &optional why)
  (if ok
      (progn (setq check-passed (1+ check-passed)) (check-say "PASS %s" name))
    (setq check-failed (1+ check-failed))
    (check-say "FAIL %s: %s" name why)))

(defun check-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun check-finish ()
  (dolist (server (hash-table-values eglot--servers-by-project))
    (dolist (s server) (ignore-errors (eglot-shutdown s))))
  (check-say "%d passed, %d failed" check-passed check-failed)
  (kill-emacs (if (zerop check-failed) 0 1)))

(defun check-diagnostic-texts ()
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(defun check-has (texts needle)
  (seq-find (lambda (text) (string-search needle text)) texts))

(defun check-run ()
  ;; 1. The configuration's server program starts for a Python buffer.
  (find-file "views/checkout.py")
  (apply #'eglot--connect (eglot--guess-contact))
  (check "the server starts and manages the Python buffer"
         (check-wait (lambda () (and (eglot-current-server) eglot--managed-mode)) 20)
         "eglot does not manage views/checkout.py")
  (unless (eglot-current-server) (check-finish))
  (let ((checkout (current-buffer)))
    ;; 2. Diagnostics through flymake: ST002 here; ST007 but not ST009 in state.py
    ;;    (the configuration ignores ST009).
    (flymake-start)
    (check-wait (lambda () (check-has (check-diagnostic-texts) "last_order is read before")) 20)
    (check "diagnostics: ST002 on checkout.py"
           (check-has (check-diagnostic-texts) "last_order is read before it is initialised")
           (format "%S" (check-diagnostic-texts)))
    (find-file "../state.py")
    (flymake-start)
    (check-wait (lambda () (check-has (check-diagnostic-texts) "module-level state")) 20)
    (let ((texts (check-diagnostic-texts)))
      (check "diagnostics: ST007 on state.py, its ST009 ignored by eglot-workspace-configuration"
             (and (check-has texts "module-level state")
                  (not (check-has texts "never read anywhere")))
             (format "%S" texts)))
    (switch-to-buffer checkout)
    ;; 3. Go to definition of st.session_state.discount (line 8) -> state.py line 12.
    (goto-char (point-min))
    (forward-line 7)
    (search-forward "discount")
    (backward-char 2)
    (let* ((identifier (xref-backend-identifier-at-point 'eglot))
           (items (xref-backend-definitions 'eglot identifier))
           (location (and items (xref-item-location (car items)))))
      (check "go to definition of st.session_state.discount: state.py line 12"
             (and location
                  (string-suffix-p "/state.py" (xref-location-group location))
                  (= (xref-location-line location) 12))
             (format "%S" (and location (list (xref-location-group location) (xref-location-line location))))))
    ;; 4. Completion after `st.session_state.` on a new last line, through eglot's capf.
    (goto-char (point-max))
    (insert "\nst.session_state.")
    (eglot--signal-textDocument/didChange)
    (let* ((capf (eglot-completion-at-point))
           (candidates (and capf (all-completions "" (nth 2 capf)))))
      (check "completion after st.session_state. offers discount, last_order, currency"
             (and (member "discount" candidates) (member "last_order" candidates)
                  (member "currency" candidates))
             (format "%S" candidates)))
    (set-buffer-modified-p nil))
  (check-finish))

(condition-case err
    (check-run)
  (error (check "the check script ran" nil (error-message-string err))
         (check-finish)))

;;; emacs_check.el ends here
