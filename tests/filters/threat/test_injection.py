"""PHP blocks read by what they run (`injection.CMDI`'s `php-*` rules)."""

from __future__ import annotations

import pytest

from filters import Action
from filters.threat import ThreatFilter, ThreatOptions

FILTER = ThreatFilter(ThreatOptions(sink="bot"))

_FILE = """<?php
namespace app\\models;

use app\\db\\Connection;

class User extends Model {
    protected $table = 'users';

    public function find(int $id): ?array {
        $stmt = $this->db->prepare('SELECT * FROM users WHERE id = ?');
        $stmt->execute([$id]);
        return $stmt->fetch() ?: null;
    }
}
"""


@pytest.mark.parametrize("text", [_FILE, "<?php\nrequire_once __DIR__ . '/vendor/autoload.php';\n$app = new App();\n"])
def test_a_pasted_php_file_passes(text: str) -> None:
    verdict = FILTER.decide(text)
    assert verdict.action is Action.PASS and not verdict.hints.alert, verdict


@pytest.mark.parametrize("text", ["<?php echo htmlspecialchars($_GET['q']); ?>", "<?= $name ?>",
                                  "<?php $pdo->exec('VACUUM'); ?>"])
def test_a_one_line_block_alerts_without_blocking(text: str) -> None:
    verdict = FILTER.decide(text)
    assert verdict.action is not Action.BLOCK and verdict.hints.alert, verdict


@pytest.mark.parametrize("text", [
    "<?php system($_GET['c']); ?>", "<?php echo shell_exec($_GET['e']); ?>", "<?php passthru($_REQUEST['x']); ?>",
    "<?php eval($_POST['p']); ?>", "<?=`$_GET[0]`?>", "<?php include($_GET['file']); ?>", "<?php phpinfo(); ?>",
    "<?php $_GET['a']($_GET['b']); ?>", "<?php system('id'); ?>", "<?php echo `id`; ?>",
    "<?php @eval(base64_decode($_POST['z'])); ?>", "<?PHP SYSTEM($_GET['C']); ?>", "<?php\n\n  exec($_GET['x']);",
    _FILE + "\n<?php system($_GET['c']); ?>", "<?=system($_GET[c])?>", "<?=`id`?>", "<?= $_GET['a']($_GET['b']) ?>",
])
def test_a_block_that_runs_what_it_is_given_blocks(text: str) -> None:
    assert FILTER.decide(text).action is Action.BLOCK
